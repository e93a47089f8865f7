#pragma once

#include <QString>

namespace tc {

/// Versions of TorchCanvas and of the libraries it was built against, for --version,
/// the About box and reports.
struct BuildInfo {
    QString torchCanvas;
    QString libTorch;
    QString qt;
    QString openCv;
};

BuildInfo buildInfo();

/// "TorchCanvas 0.1.0 (LibTorch 1.13.0, Qt 6.4.2, OpenCV 4.6.0)".
QString versionLine();

} // namespace tc
