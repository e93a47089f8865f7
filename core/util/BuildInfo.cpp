#include "core/util/BuildInfo.h"

#include <opencv2/core/version.hpp>
#include <QtGlobal>
#include <torch/version.h>

namespace tc {

BuildInfo buildInfo() {
    BuildInfo info;
    info.torchCanvas = QStringLiteral(TORCHCANVAS_VERSION);
    info.libTorch = QStringLiteral(TORCH_VERSION);
    // The Qt that is running, which may be newer than the headers we compiled against.
    info.qt = QString::fromLatin1(qVersion());
    info.openCv = QStringLiteral(CV_VERSION);
    return info;
}

QString versionLine() {
    const BuildInfo info = buildInfo();
    return QStringLiteral("TorchCanvas %1 (LibTorch %2, Qt %3, OpenCV %4)")
        .arg(info.torchCanvas, info.libTorch, info.qt, info.openCv);
}

} // namespace tc
