#include "core/export/TorchScriptTrust.h"

#include "core/export/ChainModel.h"
#include "core/export/TorchScriptExport.h"
#include "core/export/TrainedModel.h"
#include "core/nn/ZipArchive.h"

#include <caffe2/serialize/in_memory_adapter.h>
#include <QFile>
#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>
#include <sstream>

namespace tc::exporting {

namespace {

/// Code and metadata entries are a few hundred kilobytes; this bounds what a hostile entry
/// can make us inflate.
constexpr std::uint64_t kMaxTextEntryBytes = 64ull << 20;

/// Entries besides code/ that must equal TorchCanvas' own: they steer how LibTorch reads the
/// rest.
const QStringList kComparedEntries{QStringLiteral("constants.pkl"), QStringLiteral("version"),
                                   QStringLiteral(".data/version"), QStringLiteral("byteorder")};

/// Entries (relative to the archive's top folder) by their content.
using Entries = QMap<QString, QByteArray>;

/// The entries of `archive` that must match TorchCanvas' own (code/, kComparedEntries) and
/// its torchcanvas.json, inflated; the others are only named in `other`. All entries must share one
/// top folder.
std::optional<Entries> checkedEntries(const nn::ZipArchive& archive, QStringList* other,
                                      QString* error) {
    if (!archive.isValid()) {
        *error = archive.errorString();
        return std::nullopt;
    }
    Entries entries;
    QString top;
    for (const nn::ZipArchive::Entry& entry : archive.entries()) {
        const QString folder = entry.name.section(QLatin1Char('/'), 0, 0);
        const QString name = entry.name.section(QLatin1Char('/'), 1);
        if (top.isEmpty())
            top = folder;
        if (folder != top || name.isEmpty()) {
            *error = QStringLiteral("entry '%1' is outside the archive's folder").arg(entry.name);
            return std::nullopt;
        }
        const bool compared = name.startsWith(QLatin1String("code/")) ||
                              kComparedEntries.contains(name) ||
                              name == QLatin1String("extra/") + kTorchScriptMetadataFile;
        if (!compared) {
            *other << name;
            continue;
        }
        const std::optional<QByteArray> bytes = archive.contents(entry, kMaxTextEntryBytes, error);
        if (!bytes)
            return std::nullopt;
        entries.insert(name, *bytes);
    }
    return entries;
}

/// The archive TorchCanvas writes for the architecture `metadata` describes, with empty
/// tensors (the code does not depend on their values or shapes).
std::optional<QByteArray> referenceArchive(const QJsonObject& metadata, QString* error) {
    std::optional<TrainedModel> model = TrainedModel::fromConfigJson(metadata, error);
    if (!model)
        return std::nullopt;
    std::optional<ChainModel> chain =
        ChainModel::initialise(model->components, model->inputShape(), error);
    if (!chain)
        return std::nullopt;
    model->tensors = chain->namedTensors();
    TorchScriptOptions options;
    options.withPreprocessing = metadata.value(QStringLiteral("form")).toString() ==
                                QLatin1String("torchscript-with-preprocessing");
    options.withExplanations = metadata.value(QStringLiteral("explanations")).toBool(false);
    std::optional<torch::jit::Module> module = makeScriptModule(*model, options, error);
    if (!module)
        return std::nullopt;
    for (const auto& item : model->tensors)
        module->setattr(scriptAttributeName(QString::fromStdString(item.key())).toStdString(),
                        torch::empty({0}));
    std::ostringstream out;
    module->save(out);
    const std::string bytes = out.str();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

/// Why `candidate` is not what TorchCanvas writes, or an empty string.
QString differenceFrom(const Entries& candidate, const QStringList& data,
                       const Entries& reference) {
    static const QRegularExpression tensorData(QStringLiteral("^data/\\d+$"));
    for (const QString& name : data) {
        if (name != QLatin1String("data.pkl") && name != QLatin1String(".data/serialization_id") &&
            !tensorData.match(name).hasMatch())
            return QStringLiteral("it has an entry TorchCanvas does not write: %1").arg(name);
    }
    const QString metadata = QLatin1String("extra/") + kTorchScriptMetadataFile;
    for (auto it = reference.begin(); it != reference.end(); ++it) {
        if (it.key() == metadata)
            continue;
        if (!candidate.contains(it.key()))
            return QStringLiteral("%1 is missing").arg(it.key());
        if (candidate.value(it.key()) != it.value())
            return QStringLiteral("its %1 is not the code TorchCanvas writes for this model")
                .arg(it.key());
    }
    for (auto it = candidate.begin(); it != candidate.end(); ++it) {
        if (it.key() != metadata && !reference.contains(it.key()))
            return QStringLiteral("it carries code TorchCanvas does not write: %1").arg(it.key());
    }
    return {};
}

} // namespace

std::optional<VerifiedScript> loadVerifiedTorchScript(const QString& path, QString* error) {
    auto refuse = [&](const QString& why) -> std::optional<VerifiedScript> {
        if (error)
            *error = QStringLiteral("%1: not exported by TorchCanvas; load it yourself in Python "
                                    "if you trust it (%2)")
                         .arg(path, why);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // Read once: the bytes checked are the bytes loaded, whatever happens to the file.
    const QByteArray bytes = file.readAll();
    QString reason;
    QStringList data;
    const std::optional<Entries> entries = checkedEntries(nn::ZipArchive(bytes), &data, &reason);
    if (!entries)
        return refuse(reason);
    const QString metadataName = QLatin1String("extra/") + kTorchScriptMetadataFile;
    if (!entries->contains(metadataName))
        return refuse(QStringLiteral("no %1").arg(kTorchScriptMetadataFile));
    QJsonParseError parseError;
    const QJsonObject metadata =
        QJsonDocument::fromJson(entries->value(metadataName), &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return refuse(QStringLiteral("%1 is not valid JSON").arg(kTorchScriptMetadataFile));
    try {
        const std::optional<QByteArray> reference = referenceArchive(metadata, &reason);
        if (!reference)
            return refuse(reason);
        QStringList referenceData;
        const std::optional<Entries> expected =
            checkedEntries(nn::ZipArchive(*reference), &referenceData, &reason);
        if (!expected)
            return refuse(reason);
        reason = differenceFrom(*entries, data, *expected);
        if (!reason.isEmpty())
            return refuse(reason);
        auto adapter = std::make_shared<caffe2::serialize::MemoryReadAdapter>(bytes.constData(),
                                                                              off_t(bytes.size()));
        torch::jit::Module module = torch::jit::load(adapter, torch::kCPU);
        module.eval();
        return VerifiedScript{std::move(module), metadata};
    } catch (const std::exception& failure) {
        if (error)
            *error = QStringLiteral("%1: cannot load the TorchScript model: %2")
                         .arg(path, scriptErrorLine(failure));
        return std::nullopt;
    }
}

} // namespace tc::exporting
