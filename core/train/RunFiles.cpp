#include "core/train/RunFiles.h"

#include "core/nn/PrecisionPolicy.h"
#include "core/nn/SafeTensors.h"
#include "core/nn/TrunkIdentity.h"
#include "core/nn/ZipArchive.h"
#include "core/train/OptimizerState.h"
#include "core/util/BuildInfo.h"
#include "core/util/FileErrors.h"

#include <cstring>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>
#include <torch/torch.h>

namespace tc::train {

namespace {

constexpr auto kCheckpointFormat = "torchcanvas-checkpoint";
constexpr int kCheckpointVersion = 1;
const QString kMetricsFile = QStringLiteral("metrics.csv");
const QString kBatchesFile = QStringLiteral("batches.csv");
const QString kReportFile = QStringLiteral("report.json");
const QString kBatchesHeader = QStringLiteral(
    "epoch,batch,step,loss,accuracy,batch_loss,learning_rate,images_per_second,elapsed_seconds");

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value) {
    return std::isnan(value) ? QString() : QString::number(value, 'g', 10);
}

QJsonValue jsonNumber(double value) {
    return std::isnan(value) ? QJsonValue() : QJsonValue(value);
}

double numberFrom(const QJsonValue& value) {
    return value.isDouble() ? value.toDouble() : std::nan("");
}

QJsonObject splitToJson(const SplitResult& result, const QStringList& classNames) {
    QJsonObject json = result.metrics.toJson(classNames);
    json.insert(QStringLiteral("loss"), result.loss);
    return json;
}

SplitResult splitFromJson(const QJsonObject& json) {
    return {json.value(QStringLiteral("loss")).toDouble(), ClassificationMetrics::fromJson(json)};
}

/// Tensor names inside a checkpoint file.
constexpr auto kHeadPrefix = "head.";
constexpr auto kOptimizerPrefix = "optimizer.";
constexpr auto kRngTensor = "rng";

QJsonObject checkpointToJson(const CheckpointState& state) {
    return {{QStringLiteral("format"), QLatin1String(kCheckpointFormat)},
            {QStringLiteral("version"), kCheckpointVersion},
            {QStringLiteral("torchcanvas"), buildInfo().torchCanvas},
            {QStringLiteral("epoch"), state.epoch},
            {QStringLiteral("step"), static_cast<double>(state.step)},
            {QStringLiteral("bestEpoch"), state.bestEpoch},
            {QStringLiteral("bestValue"), jsonNumber(state.bestValue)},
            {QStringLiteral("epochsWithoutImprovement"), state.epochsWithoutImprovement},
            {QStringLiteral("plateauRate"), state.plateauRate},
            {QStringLiteral("plateauBadEpochs"), state.plateauBadEpochs},
            {QStringLiteral("plateauBest"), jsonNumber(state.plateauBest)},
            {QStringLiteral("trunkKey"), state.trunkKey},
            {QStringLiteral("precision"), state.precision},
            {QStringLiteral("classes"), QJsonArray::fromStringList(state.classNames)},
            {QStringLiteral("settings"), state.settings},
            {QStringLiteral("preprocessing"), state.preprocessing},
            {QStringLiteral("history"), state.history},
            {QStringLiteral("architecture"), state.architecture},
            {QStringLiteral("dataFingerprint"), state.dataFingerprint}};
}

} // namespace

CheckpointState checkpointStateFromJson(const QJsonObject& json) {
    CheckpointState state;
    state.epoch = json.value(QStringLiteral("epoch")).toInt();
    state.step = static_cast<qint64>(json.value(QStringLiteral("step")).toDouble());
    state.bestEpoch = json.value(QStringLiteral("bestEpoch")).toInt();
    state.bestValue = numberFrom(json.value(QStringLiteral("bestValue")));
    state.epochsWithoutImprovement = json.value(QStringLiteral("epochsWithoutImprovement")).toInt();
    state.plateauRate = json.value(QStringLiteral("plateauRate")).toDouble();
    state.plateauBadEpochs = json.value(QStringLiteral("plateauBadEpochs")).toInt();
    state.plateauBest = numberFrom(json.value(QStringLiteral("plateauBest")));
    state.trunkKey = json.value(QStringLiteral("trunkKey")).toString();
    state.precision = json.value(QStringLiteral("precision")).toObject();
    for (const QJsonValue& value : json.value(QStringLiteral("classes")).toArray())
        state.classNames << value.toString();
    state.settings = json.value(QStringLiteral("settings")).toObject();
    state.preprocessing = json.value(QStringLiteral("preprocessing")).toObject();
    state.history = json.value(QStringLiteral("history")).toArray();
    state.architecture = json.value(QStringLiteral("architecture")).toString();
    state.dataFingerprint = json.value(QStringLiteral("dataFingerprint")).toString();
    return state;
}

namespace {

/// First line of a LibTorch error: the rest is a C++ backtrace nobody asked for.
QString firstLine(const std::exception& error) {
    return QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0);
}

} // namespace

QJsonObject precisionRecord(nn::Precision requested, nn::Precision used, const QString& reason) {
    const nn::PrecisionDecision decision = nn::autoPrecision();
    QString why = reason;
    if (why.isEmpty() && requested == nn::Precision::Auto)
        why = used == decision.precision ? decision.reason
                                         : QStringLiteral("no frozen backbone: every layer "
                                                          "trains in fp32");
    QJsonObject record{{QStringLiteral("used"), nn::precisionName(used)},
                       {QStringLiteral("requested"), nn::precisionName(requested)},
                       {QStringLiteral("cpu"), decision.cpu}};
    if (!why.isEmpty())
        record.insert(QStringLiteral("reason"), why);
    return record;
}

nn::Precision recordedPrecision(const CheckpointState& state) {
    const QString used = state.precision.value(QStringLiteral("used")).toString();
    const std::optional<nn::TrunkIdentity> trunk = nn::TrunkIdentity::parse(state.trunkKey);
    const QString name = !used.isEmpty() ? used : trunk ? trunk->precision : QString();
    const std::optional<nn::Precision> precision = nn::parsePrecision(name);
    return precision && *precision != nn::Precision::Auto ? *precision : nn::Precision::Fp32;
}

RunFiles::RunFiles(QString directory)
    : m_directory(std::move(directory)) {}

RunFiles::~RunFiles() {
    flushBatches();
}

QString RunFiles::path(const QString& name) const {
    return QDir(m_directory).filePath(name);
}

bool RunFiles::exists(const QString& name) const {
    return enabled() && QFileInfo::exists(path(name));
}

bool RunFiles::prepare(bool resume) {
    if (!writes())
        return true;
    if (!QDir().mkpath(m_directory))
        return false;
    m_batches = std::make_unique<QFile>(path(kBatchesFile));
    const bool append = resume && m_batches->exists();
    if (!m_batches->open(append ? QIODevice::Append | QIODevice::Text
                                : QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    if (!append)
        m_batches->write(kBatchesHeader.toUtf8() + '\n');
    return true;
}

void RunFiles::appendBatch(const BatchEvent& e) {
    if (!m_batches)
        return;
    const QString row =
        QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
            .arg(e.epoch)
            .arg(e.batch)
            .arg(e.step)
            .arg(number(e.loss), number(e.accuracy), number(e.batchLoss), number(e.learningRate),
                 number(e.imagesPerSecond), number(e.elapsedSeconds));
    m_batches->write(row.toUtf8());
}

void RunFiles::flushBatches() {
    if (m_batches)
        m_batches->flush();
}

void RunFiles::appendEpoch(const EpochEvent& event, const QStringList& classNames) {
    if (!writes())
        return;
    flushBatches();
    if (m_metricsHeader.isEmpty()) {
        QStringList header{QStringLiteral("epoch"),
                           QStringLiteral("learning_rate"),
                           QStringLiteral("seconds"),
                           QStringLiteral("train_loss"),
                           QStringLiteral("train_accuracy"),
                           QStringLiteral("train_balanced_accuracy"),
                           QStringLiteral("val_loss"),
                           QStringLiteral("val_accuracy"),
                           QStringLiteral("val_balanced_accuracy"),
                           QStringLiteral("val_auc")};
        for (const QString& name : classNames) {
            for (const char* metric : {"precision", "recall", "f1"})
                header << csvField(QStringLiteral("val_%1_%2").arg(QLatin1String(metric), name));
        }
        m_metricsHeader = header.join(QLatin1Char(','));
    }
    QStringList row{QString::number(event.epoch),
                    number(event.learningRate),
                    number(event.seconds),
                    number(event.train.loss),
                    number(event.train.metrics.accuracy),
                    number(event.train.metrics.balancedAccuracy)};
    if (event.validation) {
        const auto& v = *event.validation;
        row << number(v.loss) << number(v.metrics.accuracy) << number(v.metrics.balancedAccuracy)
            << (v.metrics.rocAuc ? number(*v.metrics.rocAuc) : QString());
        for (int c = 0; c < classNames.size(); ++c) {
            const bool known = c < v.metrics.classes;
            row << (known ? number(v.metrics.precision[c]) : QString())
                << (known ? number(v.metrics.recall[c]) : QString())
                << (known ? number(v.metrics.f1[c]) : QString());
        }
    } else {
        for (int i = 0; i < 4 + 3 * classNames.size(); ++i)
            row << QString();
    }
    m_metricsRows << row.join(QLatin1Char(','));
    rewriteCsv(kMetricsFile, m_metricsHeader, m_metricsRows);
}

void RunFiles::rewriteCsv(const QString& name, const QString& header, const QStringList& rows) {
    QByteArray bytes = header.toUtf8() + '\n';
    for (const QString& row : rows)
        bytes += row.toUtf8() + '\n';
    QString ignored;
    writeFileAtomically(path(name), bytes, &ignored);
}

void RunFiles::truncateLogsAfter(int epoch) {
    if (!writes())
        return;
    auto keepRows = [epoch](const QString& file, QString* header) {
        QFile in(file);
        QStringList rows;
        if (!in.open(QIODevice::ReadOnly | QIODevice::Text))
            return rows;
        const QStringList lines =
            QString::fromUtf8(in.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (int i = 0; i < lines.size(); ++i) {
            if (i == 0) {
                *header = lines[i];
                continue;
            }
            if (lines[i].section(QLatin1Char(','), 0, 0).toInt() <= epoch)
                rows << lines[i];
        }
        return rows;
    };
    m_metricsRows = keepRows(path(kMetricsFile), &m_metricsHeader);
    if (!m_metricsHeader.isEmpty())
        rewriteCsv(kMetricsFile, m_metricsHeader, m_metricsRows);

    if (m_batches)
        m_batches->close();
    QString batchesHeader;
    const QStringList batchRows = keepRows(path(kBatchesFile), &batchesHeader);
    rewriteCsv(kBatchesFile, kBatchesHeader, batchRows);
    m_batches = std::make_unique<QFile>(path(kBatchesFile));
    if (!m_batches->open(QIODevice::Append | QIODevice::Text))
        m_batches.reset();
}

bool RunFiles::writeCheckpoint(const QString& name, const CheckpointState& state,
                               torch::nn::Module& head, torch::optim::Optimizer& optimizer,
                               QString* error) {
    if (!writes())
        return true;
    const QString target = path(name);
    nn::StateDict tensors;
    try {
        for (const auto& item : head.named_parameters(/*recurse=*/true))
            tensors.insert(kHeadPrefix + item.key(), item.value().detach());
        for (const auto& item : head.named_buffers(/*recurse=*/true))
            tensors.insert(kHeadPrefix + item.key(), item.value().detach());
        for (const auto& item : optimizerStateTensors(optimizer, kOptimizerPrefix))
            tensors.insert(item.key(), item.value());
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        tensors.insert(kRngTensor, generator.get_state());
    } catch (const std::exception& failure) {
        if (error)
            *error =
                QStringLiteral("cannot write checkpoint %1: %2").arg(target, firstLine(failure));
        return false;
    }
    // safetensors through a QSaveFile: a reader sees the old or the new checkpoint, and a
    // failed write (a full disk) leaves the old one in place.
    const QMap<QString, QString> metadata{
        {QLatin1String(kCheckpointFormat),
         QString::fromUtf8(QJsonDocument(checkpointToJson(state)).toJson(QJsonDocument::Compact))}};
    return nn::writeSafeTensors(target, tensors, metadata, error);
}

std::optional<QJsonObject> readCheckpointJson(const QString& file, nn::StateDict* tensors,
                                              QString* error) {
    auto fail = [&](const QString& why) -> std::optional<QJsonObject> {
        if (error)
            *error = QStringLiteral("cannot read checkpoint %1: %2").arg(file, why);
        return std::nullopt;
    };
    QFile probe(file);
    if (!probe.open(QIODevice::ReadOnly))
        return fail(probe.errorString());
    // Checked before anything parses the file: a zip is a TorchScript or torch.save archive,
    // whose loading can run the code it carries.
    if (nn::ZipArchive::looksLikeZip(probe.read(4)))
        return fail(QStringLiteral("a zip (TorchScript / torch.save) archive, which can carry "
                                   "code, so it is not opened; TorchCanvas checkpoints are "
                                   "safetensors data (an older TorchCanvas wrote zip "
                                   "checkpoints: train the run again)"));
    probe.close();
    QMap<QString, QString> metadata;
    QString reason;
    std::optional<nn::StateDict> read = nn::readSafeTensors(file, &reason, &metadata);
    if (!read)
        return fail(reason.startsWith(file) ? reason.mid(file.size() + 2) : reason);
    QJsonParseError parseError;
    const QJsonObject json =
        QJsonDocument::fromJson(metadata.value(QLatin1String(kCheckpointFormat)).toUtf8(),
                                &parseError)
            .object();
    if (parseError.error != QJsonParseError::NoError ||
        json.value(QStringLiteral("format")).toString() != QLatin1String(kCheckpointFormat))
        return fail(QStringLiteral("not a TorchCanvas checkpoint"));
    if (json.value(QStringLiteral("version")).toInt() > kCheckpointVersion)
        return fail(QStringLiteral("written by a newer TorchCanvas (checkpoint version %1)")
                        .arg(json.value(QStringLiteral("version")).toInt()));
    if (tensors)
        *tensors = std::move(*read);
    return json;
}

bool RunFiles::readCheckpoint(const QString& name, CheckpointState* state, torch::nn::Module& head,
                              torch::optim::Optimizer* optimizer, QString* error) {
    const QString file = path(name);
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("cannot read checkpoint %1: %2").arg(file, why);
        return false;
    };
    nn::StateDict tensors;
    const std::optional<QJsonObject> json = readCheckpointJson(file, &tensors, error);
    if (!json)
        return false;
    nn::StateDict headTensors;
    for (const auto& item : tensors) {
        if (item.key().rfind(kHeadPrefix, 0) == 0)
            headTensors.insert(item.key().substr(std::strlen(kHeadPrefix)), item.value());
    }
    try {
        const nn::LoadReport report = nn::loadStateDict(head, headTensors);
        if (!report.ok())
            return fail(
                QStringLiteral("its model does not match this one: %1").arg(report.summary()));
        if (optimizer) {
            QString reason;
            if (!restoreOptimizerState(*optimizer, tensors, kOptimizerPrefix, &reason))
                return fail(reason);
            const torch::Tensor* rng = tensors.find(kRngTensor);
            if (!rng || rng->scalar_type() != torch::kUInt8)
                return fail(QStringLiteral("no random generator state"));
            // The default generator is shared: hold its lock like torch.set_rng_state does.
            at::Generator generator = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(*rng);
        }
    } catch (const std::exception& failure) {
        return fail(firstLine(failure));
    }
    *state = checkpointStateFromJson(*json);
    return true;
}

QJsonObject RunFiles::epochToJson(const EpochEvent& event, const QStringList& classNames) {
    QJsonObject json{{QStringLiteral("epoch"), event.epoch},
                     {QStringLiteral("epochs"), event.epochs},
                     {QStringLiteral("learningRate"), event.learningRate},
                     {QStringLiteral("seconds"), event.seconds},
                     {QStringLiteral("best"), event.best},
                     {QStringLiteral("train"), splitToJson(event.train, classNames)}};
    if (event.validation)
        json.insert(QStringLiteral("validation"), splitToJson(*event.validation, classNames));
    return json;
}

EpochEvent RunFiles::epochFromJson(const QJsonObject& json) {
    EpochEvent event;
    event.epoch = json.value(QStringLiteral("epoch")).toInt();
    event.epochs = json.value(QStringLiteral("epochs")).toInt();
    event.learningRate = json.value(QStringLiteral("learningRate")).toDouble();
    event.seconds = json.value(QStringLiteral("seconds")).toDouble();
    event.best = json.value(QStringLiteral("best")).toBool();
    event.train = splitFromJson(json.value(QStringLiteral("train")).toObject());
    if (json.contains(QStringLiteral("validation")))
        event.validation = splitFromJson(json.value(QStringLiteral("validation")).toObject());
    return event;
}

bool RunFiles::writeReport(const RunReport& report, QString* error) {
    if (!writes())
        return true;
    flushBatches();
    QJsonArray epochs;
    for (const auto& event : report.history)
        epochs.append(epochToJson(event, report.classNames));
    const auto& f = report.finished;
    QJsonObject json{
        {QStringLiteral("format"), QStringLiteral("torchcanvas-run")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("torchcanvas"), versionLine()},
        {QStringLiteral("finished"),
         QJsonObject{{QStringLiteral("reason"), toString(f.reason)},
                     {QStringLiteral("message"), f.message},
                     {QStringLiteral("epochsCompleted"), f.epochsCompleted},
                     {QStringLiteral("bestEpoch"), f.bestEpoch},
                     {QStringLiteral("checkpoint"), f.checkpoint},
                     {QStringLiteral("warnings"), QJsonArray::fromStringList(f.warnings)}}},
        {QStringLiteral("classes"), QJsonArray::fromStringList(report.classNames)},
        {QStringLiteral("splits"),
         QJsonObject{{QStringLiteral("train"), static_cast<double>(report.splitSizes[0])},
                     {QStringLiteral("validation"), static_cast<double>(report.splitSizes[1])},
                     {QStringLiteral("test"), static_cast<double>(report.splitSizes[2])}}},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("timings"),
         QJsonObject{
             {QStringLiteral("totalSeconds"), f.seconds},
             {QStringLiteral("featureCachingSeconds"), report.cachingSeconds},
             {QStringLiteral("featureCachingImagesPerSecond"),
              report.cachingSeconds > 0 ? report.cachedImages / report.cachingSeconds : 0.0},
             {QStringLiteral("trainingSeconds"), report.trainingSeconds},
             {QStringLiteral("trainingImagesPerSecond"),
              report.trainingSeconds > 0 ? report.trainedImages / report.trainingSeconds : 0.0}}},
        {QStringLiteral("featureCache"),
         QJsonObject{{QStringLiteral("used"), report.featureCache},
                     {QStringLiteral("note"), report.featureCacheNote},
                     {QStringLiteral("diskDirectory"), report.featureStoreDirectory},
                     {QStringLiteral("diskHits"), report.featureStoreHits}}},
        {QStringLiteral("peakMemoryBytes"), static_cast<double>(report.peakMemoryBytes)},
        {QStringLiteral("configuration"),
         QJsonObject{{QStringLiteral("training"), report.settings.toJson()},
                     {QStringLiteral("preprocessing"), report.preprocessing.toJson()}}},
    };
    if (!report.history.empty()) {
        json.insert(QStringLiteral("final"), epochToJson(report.history.back(), report.classNames));
        for (const auto& event : report.history) {
            if (event.epoch == f.bestEpoch)
                json.insert(QStringLiteral("best"), epochToJson(event, report.classNames));
        }
    }
    if (f.test)
        json.insert(QStringLiteral("test"), splitToJson(*f.test, report.classNames));
    if (f.decision)
        json.insert(QStringLiteral("decision"), f.decision->toJson());
    for (auto it = report.extras.begin(); it != report.extras.end(); ++it)
        json.insert(it.key(), it.value());
    return writeFileAtomically(path(kReportFile), QJsonDocument(json).toJson(), error);
}

} // namespace tc::train
