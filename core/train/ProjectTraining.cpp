#include "core/train/ProjectTraining.h"

#include "core/data/Batcher.h"
#include "core/data/DataSettings.h"
#include "core/data/PreparedDataset.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/nn/ModelBuilder.h"
#include "core/train/FeatureStore.h"
#include "core/train/RunFiles.h"
#include "core/train/Trainer.h"
#include "core/util/Devices.h"

#include <functional>
#include <optional>
#include <QFileInfo>
#include <QJsonArray>

namespace tc::train {

namespace {

/// How many excluded rows a warning names before summarising.
constexpr int kDiagnosticsNamed = 3;

tc::nn::Precision toNn(Precision precision) {
    switch (precision) {
    case Precision::Fp32:
        return tc::nn::Precision::Fp32;
    case Precision::Bf16:
        return tc::nn::Precision::Bf16;
    case Precision::Auto:
        return tc::nn::Precision::Auto;
    }
    return tc::nn::Precision::Auto;
}

/// The precision the run being resumed in `runDirectory` computed its backbone with, so that
/// the resumed run computes as the interrupted one did even where Auto would decide
/// otherwise on this machine. std::nullopt when there is nothing to resume.
std::optional<tc::nn::Precision> resumedPrecision(const QString& runDirectory) {
    RunFiles files(runDirectory);
    if (!files.enabled() || !files.exists(Trainer::lastCheckpointName()))
        return std::nullopt;
    QString ignored; // the trainer reports an unreadable checkpoint
    const std::optional<QJsonObject> json =
        readCheckpointJson(files.path(Trainer::lastCheckpointName()), nullptr, &ignored);
    if (!json)
        return std::nullopt;
    const CheckpointState state = checkpointStateFromJson(*json);
    if (state.trunkKey.isEmpty())
        return std::nullopt;
    return recordedPrecision(state);
}

/// "bf16 (auto: AVX512-BF16 on an AMD CPU: …)", for the start of a run.
QString describePrecision(const QJsonObject& record) {
    const QString used = record.value(QStringLiteral("used")).toString();
    const QString reason = record.value(QStringLiteral("reason")).toString();
    return reason.isEmpty() ? used : QStringLiteral("%1 (auto: %2)").arg(used, reason);
}

FinishedEvent failed(TrainingObserver& observer, const QString& message) {
    observer.onError({message});
    FinishedEvent finished;
    finished.reason = FinishReason::Failed;
    finished.message = message;
    observer.onFinished(finished);
    return finished;
}

/// A project's data settings and its data, imported and split exactly as training does.
struct ProjectData {
    tc::data::DatasetSettings dataset;
    tc::data::SplitSettings split;
    tc::data::PreparedDataset prepared;
};

/// Reads the "dataset" and "split" sections (the data set replaced by `dataOverride` when
/// given), tells `importing` which source it imports, and imports and splits it. Errors name
/// the project file and the section, or the data file and row.
std::optional<ProjectData> loadProjectData(const tc::graph::Project& project,
                                           const QString& projectPath, const QString& dataOverride,
                                           const std::function<void(const QString&)>& importing,
                                           QString* error) {
    auto sectionError = [&](const char* section, const QString& why) {
        return QStringLiteral("%1: \"%2\" section: %3")
            .arg(projectPath, QLatin1String(section), why);
    };
    QString why;
    auto dataset = tc::data::DatasetSettings::fromJson(project.dataset(), &why);
    if (!dataset) {
        *error = sectionError("dataset", why);
        return std::nullopt;
    }
    auto split = tc::data::SplitSettings::fromJson(project.split(), &why);
    if (!split) {
        *error = sectionError("split", why);
        return std::nullopt;
    }
    if (!dataOverride.isEmpty()) {
        dataset->source = QFileInfo(dataOverride).absoluteFilePath();
        // Another data set has its own columns: detect them again unless they still exist.
        dataset->imageColumn.clear();
        dataset->labelColumn.clear();
    } else {
        dataset->source = project.datasetSource();
    }
    if (dataset->source.isEmpty()) {
        *error = QStringLiteral("%1 has no data set: run the Data Wizard or pass --data "
                                "CSV_OR_FOLDER")
                     .arg(projectPath);
        return std::nullopt;
    }
    if (importing)
        importing(dataset->source);
    tc::data::ImportOptions importOptions;
    importOptions.check = tc::data::ImageCheck::Exists;
    ProjectData data{*dataset, *split,
                     tc::data::PreparedDataset::prepare(
                         *dataset, *split, QFileInfo(projectPath).absolutePath(), importOptions)};
    if (!data.prepared.ok()) {
        *error = data.prepared.error;
        return std::nullopt;
    }
    return data;
}

} // namespace

QStringList splitImagesOf(const QString& projectPath, tc::data::SplitPart part, QString* error) {
    tc::graph::Project project;
    if (!project.load(projectPath, error))
        return {};
    const auto data = loadProjectData(project, projectPath, {}, {}, error);
    if (!data)
        return {};
    QStringList images;
    for (const int row : data->prepared.split.rows(part))
        images << data->prepared.table.rows()[size_t(row)].absolutePath;
    return images;
}

FinishedEvent trainProject(const TrainingRequest& request, TrainingObserver& observer,
                           TrainingControl& control) {
    observer.onPhase({Phase::Loading, 0, 0, 0, QStringLiteral("reading the project")});
    tc::graph::Project project;
    QString error;
    if (!project.load(request.projectPath, &error))
        return failed(observer, error);

    // Settings sections: a bad value names its key and the project file.
    auto sectionError = [&](const char* section, const QString& why) {
        return QStringLiteral("%1: \"%2\" section: %3")
            .arg(request.projectPath, QLatin1String(section), why);
    };
    auto preprocessing = tc::data::PreprocessingSettings::fromJson(project.preprocessing(), &error);
    if (!preprocessing)
        return failed(observer, sectionError("preprocessing", error));
    auto settings = TrainingSettings::fromJson(project.training(), &error);
    if (!settings)
        return failed(observer, sectionError("training", error));
    if (request.epochs > 0)
        settings->epochs = request.epochs;
    if (request.precision)
        settings->precision = *request.precision;
    request.decision.applyTo(settings->decision);

    auto projectData = loadProjectData(
        project, request.projectPath, request.dataOverride,
        [&](const QString& source) {
            observer.onPhase({Phase::Loading, 0, 0, 0,
                              QStringLiteral("importing %1").arg(QFileInfo(source).fileName())});
        },
        &error);
    if (!projectData)
        return failed(observer, error);
    const tc::data::DatasetSettings* dataset = &projectData->dataset;
    const tc::data::SplitSettings* splitSettings = &projectData->split;
    const tc::data::PreparedDataset& data = projectData->prepared;
    const tc::data::DatasetTable& table = data.table;
    const tc::data::Split& split = data.split;

    RunStartedEvent started;
    started.classNames = table.classNames();
    if (!table.diagnostics().empty()) {
        QStringList named;
        for (size_t i = 0; i < table.diagnostics().size() && i < size_t(kDiagnosticsNamed); ++i)
            named << table.diagnostics()[i].toString();
        started.warnings << QStringLiteral("%1 row(s) of the data set were excluded or have "
                                           "warnings (see 'torchcanvas data check'): %2")
                                .arg(table.diagnostics().size())
                                .arg(named.join(QStringLiteral("; ")));
    }
    started.warnings << split.warnings();

    const tc::graph::Validation validation = project.validate(table.classNames().size());
    if (!validation.isValid()) {
        QStringList errors;
        for (const auto& problem : validation.problems) {
            if (problem.severity != tc::graph::Severity::Error)
                continue;
            const tc::graph::Node* node = project.graph().findNode(problem.node);
            errors << (node ? QStringLiteral("%1 #%2: %3")
                                  .arg(node->type)
                                  .arg(node->id)
                                  .arg(problem.message)
                            : problem.message);
        }
        return failed(observer, QStringLiteral("%1: the model is not valid: %2")
                                    .arg(request.projectPath, errors.join(QStringLiteral("; "))));
    }

    observer.onPhase({Phase::Loading, 0, 0, 0, QStringLiteral("building the model")});
    tc::nn::ModelBuildOptions buildOptions;
    buildOptions.classes = table.classNames().size();
    buildOptions.height = preprocessing->height;
    buildOptions.width = preprocessing->width;
    buildOptions.precision = toNn(settings->precision);
    std::optional<tc::nn::Precision> resumed;
    if (request.resume && !request.precision)
        resumed = resumedPrecision(request.runDirectory);
    if (resumed)
        buildOptions.precision = *resumed;
    buildOptions.weights.weightsDirectory = request.weightsDirectory;
    buildOptions.seed = settings->seed;
    tc::nn::BuiltModel model = tc::nn::buildModel(project.graph(), buildOptions);
    if (!model.ok())
        return failed(observer, QStringLiteral("%1: %2").arg(request.projectPath, model.error));

    QString deviceError;
    const std::optional<tc::runtime::DeviceChoice> device = tc::runtime::parseDevice(
        request.device.isEmpty() ? project.training().value(QStringLiteral("device")).toString()
                                 : request.device,
        &deviceError);
    if (!device)
        return failed(observer, deviceError);
    if (const QString problem = tc::runtime::deviceProblem(*device); !problem.isEmpty())
        return failed(observer, problem);

    TrainerInputs inputs;
    inputs.model = model.classifier;
    inputs.group = request.group;
    inputs.device =
        device->isCuda()
            ? torch::Device(torch::kCUDA, device->index < 0 ? torch::DeviceIndex(0)
                                                            : torch::DeviceIndex(device->index))
            : torch::Device(torch::kCPU);
    // Patients travel with the validation and test images of a grouped split: the decision
    // is also reported per patient.
    const tc::data::GroupAssignment* groups = splitSettings->grouped ? &data.groups : nullptr;
    inputs.train = tc::data::samplesFor(table, split.rows(tc::data::SplitPart::Train));
    inputs.validation =
        tc::data::samplesFor(table, split.rows(tc::data::SplitPart::Validation), groups);
    inputs.test = tc::data::samplesFor(table, split.rows(tc::data::SplitPart::Test), groups);
    inputs.classNames = table.classNames();
    inputs.preprocessing = *preprocessing;
    inputs.settings = *settings;
    inputs.runDirectory = request.runDirectory;
    inputs.resume = request.resume;
    inputs.allowChangedSettings = request.allowChangedSettings;
    inputs.architecture = model.description;
    inputs.dataFingerprint = table.fingerprint();
    inputs.loaderWorkers = request.loaderWorkers;
    inputs.precision =
        resumed ? precisionRecord(*resumed, model.precision, QStringLiteral("as the resumed run"))
                : precisionRecord(toNn(settings->precision), model.precision);
    if (request.diskCache && settings->featureCacheOnDisk)
        inputs.featureStoreRoot = request.featureStoreRoot.isEmpty() ? FeatureStore::defaultRoot()
                                                                     : request.featureStoreRoot;

    started.trainImages = static_cast<qint64>(inputs.train.size());
    started.validationImages = static_cast<qint64>(inputs.validation.size());
    started.testImages = static_cast<qint64>(inputs.test.size());
    started.model = model.description;
    started.weights = model.weights ? model.weights->summary() : QString();
    started.weightsStatus = model.weights;
    started.precision = describePrecision(inputs.precision);
    started.seed = settings->seed;

    inputs.reportExtras = QJsonObject{
        {QStringLiteral("project"), QFileInfo(request.projectPath).absoluteFilePath()},
        {QStringLiteral("model"), model.description},
        {QStringLiteral("weights"), started.weights},
        {QStringLiteral("weightsPretrained"), model.weights && model.weights->isPretrained()},
        {QStringLiteral("precision"), inputs.precision},

        {QStringLiteral("data"),
         QJsonObject{{QStringLiteral("source"), dataset->source},
                     {QStringLiteral("fingerprint"), table.fingerprint()},
                     {QStringLiteral("images"), static_cast<int>(table.rows().size())},
                     {QStringLiteral("diagnostics"), static_cast<int>(table.diagnostics().size())},
                     {QStringLiteral("split"), split.toJson(table.classNames())},
                     {QStringLiteral("settings"), dataset->toJson()},
                     {QStringLiteral("splitSettings"), splitSettings->toJson()}}},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(started.warnings)},
        {QStringLiteral("device"), device->toString()},
    };
    if (request.group && request.group->worldSize() > 1)
        inputs.reportExtras.insert(
            QStringLiteral("distributed"),
            QJsonObject{{QStringLiteral("worldSize"), request.group->worldSize()},
                        {QStringLiteral("backend"), request.group->backendName()},
                        {QStringLiteral("globalBatch"), settings->batchSize},
                        {QStringLiteral("note"),
                         QStringLiteral("each rank trained on its share of every global batch; "
                                        "rank 0 wrote this run")}});
    observer.onStarted(started);
    return Trainer(std::move(inputs)).run(observer, control);
}

} // namespace tc::train
