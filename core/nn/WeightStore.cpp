#include "core/nn/WeightStore.h"

#include "core/nn/ResNet.h"
#include "core/nn/StateDict.h"
#include "core/util/RegularFile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace tc::nn {

namespace {

const QString kTorchvisionBaseUrl = QStringLiteral("https://download.pytorch.org/models/");

/// Streams `path` through SHA-256; empty on a read error.
QString sha256Of(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return {};
    }
    return QString::fromLatin1(hash.result().toHex());
}

std::optional<ResNetDepth> depthFromFileName(const QString& fileName) {
    static const QRegularExpression pattern(QStringLiteral("^resnet(\\d+)[-_.]"),
                                            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = pattern.match(fileName);
    if (!match.hasMatch())
        return std::nullopt;
    return resNetDepthFromNumber(match.captured(1).toInt());
}

bool isWeightsFileName(const QString& fileName) {
    return fileName.endsWith(QLatin1String(".pth"), Qt::CaseInsensitive) ||
           fileName.endsWith(QLatin1String(".pt"), Qt::CaseInsensitive) ||
           fileName.endsWith(QLatin1String(".safetensors"), Qt::CaseInsensitive);
}

/// The depth whose block layout the names describe, from the highest block index of each
/// layer and whether blocks have a conv3.
std::optional<ResNetDepth> depthFromNames(const StateDict& tensors) {
    static const QRegularExpression block(QStringLiteral("^layer([1-4])\\.(\\d+)\\."));
    std::array<int, 4> counts = {0, 0, 0, 0};
    bool bottleneck = false;
    for (const auto& item : tensors) {
        const QString name = QString::fromStdString(item.key());
        const QRegularExpressionMatch match = block.match(name);
        if (!match.hasMatch())
            continue;
        const int layer = match.captured(1).toInt() - 1;
        counts[layer] = std::max(counts[layer], match.captured(2).toInt() + 1);
        if (name.contains(QLatin1String(".conv3.")))
            bottleneck = true;
    }
    for (ResNetDepth depth : kResNetDepths) {
        if (resNetBlockCounts(depth) == counts && resNetUsesBottleneck(depth) == bottleneck)
            return depth;
    }
    return std::nullopt;
}

} // namespace

QString WeightVariant::sha256Prefix() const {
    const QString base = QFileInfo(fileName).completeBaseName();
    return base.section(QLatin1Char('-'), -1).toLower();
}

QString WeightVariant::url(const QString& baseUrl) const {
    QString base = baseUrl.isEmpty() ? kTorchvisionBaseUrl : baseUrl;
    if (!base.endsWith(QLatin1Char('/')))
        base += QLatin1Char('/');
    return base + fileName;
}

const QList<WeightVariant>& weightVariants() {
    static const QList<WeightVariant> variants = {
        {QStringLiteral("resnet18"), ResNetDepth::ResNet18,
         QStringLiteral("ResNet18_Weights.IMAGENET1K_V1"), QStringLiteral("resnet18-f37072fd.pth"),
         QStringLiteral("ImageNet-1k, 69.8% top-1, 45 MB")},
        {QStringLiteral("resnet34"), ResNetDepth::ResNet34,
         QStringLiteral("ResNet34_Weights.IMAGENET1K_V1"), QStringLiteral("resnet34-b627a593.pth"),
         QStringLiteral("ImageNet-1k, 73.3% top-1, 84 MB")},
        {QStringLiteral("resnet50"), ResNetDepth::ResNet50,
         QStringLiteral("ResNet50_Weights.IMAGENET1K_V1"), QStringLiteral("resnet50-0676ba61.pth"),
         QStringLiteral("ImageNet-1k, 76.1% top-1, 98 MB")},
        {QStringLiteral("resnet50-v2"), ResNetDepth::ResNet50,
         QStringLiteral("ResNet50_Weights.IMAGENET1K_V2"), QStringLiteral("resnet50-11ad3fa6.pth"),
         QStringLiteral("ImageNet-1k, newer recipe, 80.9% top-1, 98 MB")},
        {QStringLiteral("resnet101"), ResNetDepth::ResNet101,
         QStringLiteral("ResNet101_Weights.IMAGENET1K_V1"),
         QStringLiteral("resnet101-63fe2227.pth"),
         QStringLiteral("ImageNet-1k, 77.4% top-1, 171 MB")},
        {QStringLiteral("resnet101-v2"), ResNetDepth::ResNet101,
         QStringLiteral("ResNet101_Weights.IMAGENET1K_V2"),
         QStringLiteral("resnet101-cd907fc2.pth"),
         QStringLiteral("ImageNet-1k, newer recipe, 81.9% top-1, 171 MB")},
        {QStringLiteral("resnet152"), ResNetDepth::ResNet152,
         QStringLiteral("ResNet152_Weights.IMAGENET1K_V1"),
         QStringLiteral("resnet152-394f9c45.pth"),
         QStringLiteral("ImageNet-1k, 78.3% top-1, 230 MB")},
        {QStringLiteral("resnet152-v2"), ResNetDepth::ResNet152,
         QStringLiteral("ResNet152_Weights.IMAGENET1K_V2"),
         QStringLiteral("resnet152-f82ba261.pth"),
         QStringLiteral("ImageNet-1k, newer recipe, 82.3% top-1, 230 MB")},
    };
    return variants;
}

std::optional<WeightVariant> findWeightVariant(const QString& name) {
    const QString wanted = name.trimmed();
    for (const WeightVariant& variant : weightVariants()) {
        if (wanted.compare(variant.id, Qt::CaseInsensitive) == 0 ||
            wanted.compare(variant.torchvision, Qt::CaseInsensitive) == 0 ||
            wanted.compare(variant.fileName, Qt::CaseInsensitive) == 0)
            return variant;
    }
    return std::nullopt;
}

WeightVariant defaultWeightVariant(ResNetDepth depth) {
    for (const WeightVariant& variant : weightVariants()) {
        if (variant.depth == depth)
            return variant;
    }
    return weightVariants().constFirst();
}

QString defaultWeightsBaseUrl() {
    const QString overridden = qEnvironmentVariable("TORCHCANVAS_WEIGHTS_URL");
    return overridden.isEmpty() ? kTorchvisionBaseUrl : overridden;
}

QString WeightsStatus::summary() const {
    const QString name = model.isEmpty() ? QStringLiteral("backbone") : model;
    switch (state) {
    case State::Pretrained:
        return QStringLiteral("%1: ImageNet weights from %2").arg(name, file);
    case State::RandomRequested:
        return QStringLiteral("%1: randomly initialised (no pretrained weights requested)")
            .arg(name);
    case State::RandomNoWeights:
        return QStringLiteral("%1: RANDOMLY INITIALISED - %2").arg(name, reason);
    case State::RandomLoadFailed:
        return QStringLiteral("%1: RANDOMLY INITIALISED - the weights file could not be used: %2")
            .arg(name, reason);
    }
    return {};
}

WeightStore::WeightStore(const QString& directory)
    : directory_(directory.isEmpty() ? defaultDirectory() : directory) {}

QString WeightStore::defaultDirectory() {
    const QString overridden = qEnvironmentVariable("TORCHCANVAS_WEIGHTS_DIR");
    if (!overridden.isEmpty())
        return overridden;
    // <data>/TorchCanvas/weights: ~/.local/share (XDG_DATA_HOME) on Linux, ~/Library/Application
    // Support on macOS, %LOCALAPPDATA% on Windows. Not AppDataLocation, which doubles the
    // organisation and application names (see migrateLegacyWeights()).
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/TorchCanvas/weights");
}

QString WeightStore::pathOf(const WeightVariant& variant) const {
    return QDir(directory_).filePath(variant.fileName);
}

bool WeightStore::isPresent(const WeightVariant& variant) const {
    return QFileInfo(pathOf(variant)).isFile();
}

QList<StoredWeights> WeightStore::list() const {
    QList<StoredWeights> result;
    const QFileInfoList files =
        QDir(directory_).entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo& info : files) {
        if (!isWeightsFileName(info.fileName()))
            continue;
        StoredWeights stored;
        stored.path = info.absoluteFilePath();
        stored.fileName = info.fileName();
        stored.size = info.size();
        stored.variant = findWeightVariant(info.fileName());
        stored.depth = stored.variant ? std::optional<ResNetDepth>(stored.variant->depth)
                                      : depthFromFileName(info.fileName());
        result << stored;
    }
    return result;
}

QString WeightStore::findWeights(ResNetDepth depth) const {
    const WeightVariant preferred = defaultWeightVariant(depth);
    if (isPresent(preferred))
        return pathOf(preferred);
    for (const WeightVariant& variant : weightVariants()) {
        if (variant.depth == depth && isPresent(variant))
            return pathOf(variant);
    }
    for (const StoredWeights& stored : list()) {
        if (!stored.variant && stored.depth == depth)
            return stored.path;
    }
    return {};
}

std::optional<ResNetDepth> identifyResNetWeights(const QString& file, QString* error) {
    QString reason;
    const std::optional<StateDict> tensors = readWeightsFile(file, &reason);
    if (!tensors) {
        if (error)
            *error = reason;
        return std::nullopt;
    }
    const std::optional<ResNetDepth> depth = depthFromNames(*tensors);
    if (!depth) {
        if (error) {
            *error = QStringLiteral("%1: its %2 tensors do not have the names of a torchvision "
                                    "ResNet 18/34/50/101/152 (conv1.weight, layer1.0.conv1.weight, "
                                    "…)")
                         .arg(file)
                         .arg(tensors->size());
        }
        return std::nullopt;
    }
    ResNetOptions options;
    options.depth = *depth;
    options.includeTop = false;
    ResNet model(options);
    LoadOptions loadOptions;
    loadOptions.ignoredPrefixes = {QStringLiteral("fc.")};
    loadOptions.dryRun = true;
    const LoadReport report = loadStateDict(*model, *tensors, loadOptions);
    if (!report.ok()) {
        if (error) {
            *error = QStringLiteral("%1: looks like %2 but does not match it: %3")
                         .arg(file, resNetName(*depth), report.summary());
        }
        return std::nullopt;
    }
    return depth;
}

WeightStore::ImportResult WeightStore::importFile(const QString& file) const {
    ImportResult result;
    // Regular files only: hashing a FIFO would block, /dev/zero would never end.
    if (const QString problem = util::regularFileProblem(file); !problem.isEmpty()) {
        result.message = QStringLiteral("%1: %2").arg(
            file,
            problem == QLatin1String("does not exist") ? QStringLiteral("no such file") : problem);
        return result;
    }
    QString reason;
    const QString sha256 = sha256Of(file, &reason);
    if (sha256.isEmpty()) {
        result.message = reason;
        return result;
    }
    std::optional<ResNetDepth> depth = identifyResNetWeights(file, &reason);
    if (!depth) {
        result.message = reason;
        return result;
    }
    result.depth = depth;

    QString targetName;
    for (const WeightVariant& variant : weightVariants()) {
        if (sha256.startsWith(variant.sha256Prefix()) && variant.depth == *depth)
            targetName = variant.fileName;
    }
    if (targetName.isEmpty()) {
        const QString extension = detectWeightFileFormat(file) == WeightFileFormat::SafeTensors
                                      ? QStringLiteral("safetensors")
                                      : QStringLiteral("pth");
        targetName = QStringLiteral("%1-%2.%3").arg(resNetName(*depth), sha256.left(8), extension);
    }
    if (!QDir().mkpath(directory_)) {
        result.message = QStringLiteral("cannot create the weights folder %1").arg(directory_);
        return result;
    }
    const QString target = QDir(directory_).filePath(targetName);
    result.path = target;
    if (QFileInfo(target).isFile() && sha256Of(target, &reason) == sha256) {
        result.ok = true;
        result.message = QStringLiteral("%1 is already installed as %2").arg(file, target);
        return result;
    }

    QFile input(file);
    QSaveFile output(target);
    if (!input.open(QIODevice::ReadOnly) || !output.open(QIODevice::WriteOnly)) {
        result.message =
            QStringLiteral("cannot copy %1 to %2: %3")
                .arg(file, target, input.isOpen() ? output.errorString() : input.errorString());
        return result;
    }
    constexpr qint64 kChunk = 4 << 20;
    while (!input.atEnd()) {
        const QByteArray chunk = input.read(kChunk);
        if (chunk.isEmpty() || output.write(chunk) != chunk.size()) {
            output.cancelWriting();
            result.message = QStringLiteral("cannot copy %1 to %2").arg(file, target);
            return result;
        }
    }
    if (!output.commit()) {
        result.message = QStringLiteral("cannot write %1: %2").arg(target, output.errorString());
        return result;
    }
    result.ok = true;
    result.message = QStringLiteral("imported %1 weights as %2").arg(resNetName(*depth), target);
    return result;
}

} // namespace tc::nn
