# Per-target settings shared by every TorchCanvas target. No directory-wide flags:
# each target opts in through torchcanvas_configure_target().

# Warnings on our code only; LibTorch, Qt and OpenCV come in as system headers.
function(torchcanvas_configure_target target)
    target_compile_definitions(${target} PRIVATE
        QT_NO_KEYWORDS                 # LibTorch uses `slots` as an identifier
        QT_NO_CAST_FROM_BYTEARRAY
        QT_USE_QSTRINGBUILDER
        TORCHCANVAS_VERSION="${PROJECT_VERSION}")
    target_compile_options(${target} PRIVATE
        $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter -Winvalid-pch>
        $<$<CXX_COMPILER_ID:MSVC>:/W4>)
endfunction()
