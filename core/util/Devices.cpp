#include "core/util/Devices.h"

#include <torch/cuda.h>

namespace tc::runtime {

QString DeviceChoice::toString() const {
    if (kind == Kind::Cpu)
        return QStringLiteral("cpu");
    return index < 0 ? QStringLiteral("cuda") : QStringLiteral("cuda:%1").arg(index);
}

std::optional<DeviceChoice> parseDevice(const QString& text, QString* error) {
    const QString name = text.trimmed().toLower();
    DeviceChoice choice;
    if (name.isEmpty() || name == QLatin1String("cpu"))
        return choice;
    if (name == QLatin1String("cuda")) {
        choice.kind = DeviceChoice::Kind::Cuda;
        return choice;
    }
    if (name.startsWith(QLatin1String("cuda:"))) {
        bool ok = false;
        const int index = name.mid(5).toInt(&ok);
        if (ok && index >= 0 && !name.mid(5).startsWith(QLatin1Char('+'))) {
            choice.kind = DeviceChoice::Kind::Cuda;
            choice.index = index;
            return choice;
        }
    }
    if (error)
        *error = QStringLiteral("unknown device '%1': use cpu, cuda or cuda:N").arg(text);
    return std::nullopt;
}

int cudaDeviceCount() {
    return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

QStringList availableDevices() {
    QStringList devices{QStringLiteral("cpu")};
    for (int i = 0; i < cudaDeviceCount(); ++i)
        devices << QStringLiteral("cuda:%1").arg(i);
    return devices;
}

QString deviceProblem(const DeviceChoice& choice) {
    if (!choice.isCuda())
        return {};
    const int count = cudaDeviceCount();
    if (count == 0)
        return QStringLiteral("%1: CUDA is not available (this LibTorch was built without CUDA "
                              "or no GPU is visible); use --device cpu")
            .arg(choice.toString());
    if (choice.index >= count)
        return QStringLiteral("%1 does not exist: this machine has %2 CUDA device(s), cuda:0 to "
                              "cuda:%3")
            .arg(choice.toString())
            .arg(count)
            .arg(count - 1);
    return {};
}

} // namespace tc::runtime
