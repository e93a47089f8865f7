#include "core/train/RunPredictor.h"

#include "core/data/Batcher.h"
#include "core/data/DataSettings.h"
#include "core/graph/Project.h"
#include "core/nn/ModelBuilder.h"
#include "core/nn/PrecisionPolicy.h"
#include "core/nn/TrunkIdentity.h"
#include "core/train/RunFiles.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingSettings.h"

#include <QDir>
#include <QFileInfo>
#include <torch/torch.h>

namespace tc::train {

class RunPredictor::Impl {
public:
    ClassifierModel model;
    QStringList classNames;
    data::PreprocessingSettings preprocessing;
    nn::Precision precision = nn::Precision::Fp32;
    QString notice;
};

RunPredictor::RunPredictor(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

RunPredictor::~RunPredictor() = default;

QStringList RunPredictor::classNames() const {
    return m_impl->classNames;
}

QString RunPredictor::precision() const {
    return nn::precisionName(m_impl->precision);
}

QString RunPredictor::notice() const {
    return m_impl->notice;
}

std::unique_ptr<RunPredictor> RunPredictor::open(const QString& runDirectory, QString* error) {
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return std::unique_ptr<RunPredictor>();
    };
    const QDir run(runDirectory);
    graph::Project project;
    QString reason;
    if (!project.load(run.filePath(QStringLiteral("project.tcproj")), &reason))
        return fail(reason);
    RunFiles files(runDirectory);
    const QString checkpoint = files.exists(Trainer::bestCheckpointName())
                                   ? Trainer::bestCheckpointName()
                                   : Trainer::lastCheckpointName();
    if (!files.exists(checkpoint))
        return fail(
            QStringLiteral("%1 has no checkpoint: the run did not train").arg(runDirectory));

    auto impl = std::make_unique<Impl>();
    auto preprocessing = data::PreprocessingSettings::fromJson(project.preprocessing(), &reason);
    auto settings = TrainingSettings::fromJson(project.training(), &reason);
    if (!preprocessing || !settings)
        return fail(QStringLiteral("%1: %2").arg(project.filePath(), reason));
    impl->preprocessing = *preprocessing;

    // The head's shape depends on the class count: read it from the checkpoint first.
    const std::optional<QJsonObject> json =
        readCheckpointJson(files.path(checkpoint), nullptr, &reason);
    if (!json)
        return fail(reason);
    CheckpointState state = checkpointStateFromJson(*json);
    if (state.classNames.size() < 2)
        return fail(QStringLiteral("%1 names no classes").arg(files.path(checkpoint)));
    impl->classNames = state.classNames;

    nn::ModelBuildOptions options;
    options.classes = state.classNames.size();
    options.height = preprocessing->height;
    options.width = preprocessing->width;
    options.seed = settings->seed; // rebuilds the same random backbone the run used
    // Compute as the run did (its recorded precision), never as Auto would decide here.
    options.precision = nn::precisionForRecorded(recordedPrecision(state), &impl->notice);
    impl->precision = options.precision;
    nn::BuiltModel built = nn::buildModel(project.graph(), options);
    if (!built.ok())
        return fail(QStringLiteral("%1: %2").arg(project.filePath(), built.error));
    // The same computation, whatever the precision (it is the run's, recorded above).
    const auto trained = nn::TrunkIdentity::parse(state.trunkKey);
    if (built.trunk.has_value() != trained.has_value() ||
        (trained && built.trunk->computation() != trained->computation()))
        return fail(QStringLiteral("%1 was trained with another backbone (%2)")
                        .arg(files.path(checkpoint), state.trunkKey));
    if (!files.readCheckpoint(checkpoint, &state, *built.classifier.head.ptr(), nullptr, &reason))
        return fail(reason);
    built.classifier.head.ptr()->eval();
    impl->model = built.classifier;
    return std::unique_ptr<RunPredictor>(new RunPredictor(std::move(impl)));
}

std::vector<float> RunPredictor::predict(const QString& imagePath, QString* error) {
    torch::NoGradGuard noGrad;
    const torch::Tensor image =
        data::Batcher::loadImage(imagePath, m_impl->preprocessing, error, m_impl->model.hasTrunk());
    if (!image.defined())
        return {};
    try {
        torch::Tensor input = image;
        if (m_impl->model.hasTrunk())
            input = m_impl->model.trunk.forward(input).to(torch::kFloat32);
        const torch::Tensor probabilities =
            torch::softmax(m_impl->model.head.forward(input), 1).contiguous();
        const float* values = probabilities.data_ptr<float>();
        return {values, values + probabilities.size(1)};
    } catch (const std::exception& failure) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(
                imagePath, QString::fromUtf8(failure.what()).section(QLatin1Char('\n'), 0, 0));
        return {};
    }
}

} // namespace tc::train
