# Per-target settings shared by every TorchCanvas target. No directory-wide flags:
# each target opts in through torchcanvas_configure_target().

# Sanitizer builds (docs/RELIABILITY.md): -DTORCHCANVAS_SANITIZE=address,undefined or =thread
# instruments every TorchCanvas target (not LibTorch, Qt or OpenCV). packaging/run-sanitizers.sh
# configures and runs them.
set(TORCHCANVAS_SANITIZE "" CACHE STRING
    "Sanitizers for every TorchCanvas target: empty, address,undefined, or thread")
if(TORCHCANVAS_SANITIZE)
    # vptr checks misfire on objects created by libraries built without RTTI checks.
    set(TORCHCANVAS_SANITIZER_FLAGS -fsanitize=${TORCHCANVAS_SANITIZE} -fno-omit-frame-pointer)
    if(TORCHCANVAS_SANITIZE MATCHES "undefined")
        list(APPEND TORCHCANVAS_SANITIZER_FLAGS -fno-sanitize=vptr -fno-sanitize-recover=undefined)
    endif()
endif()

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
    if(TORCHCANVAS_SANITIZER_FLAGS)
        target_compile_options(${target} PRIVATE ${TORCHCANVAS_SANITIZER_FLAGS})
        target_link_options(${target} PRIVATE ${TORCHCANVAS_SANITIZER_FLAGS})
    endif()
endfunction()
