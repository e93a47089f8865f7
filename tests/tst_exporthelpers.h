#pragma once

// Shared by the export and predict tests: small trained-looking models and test images.

#include "core/export/ChainModel.h"
#include "core/export/TrainedModel.h"

#include <opencv2/imgcodecs.hpp>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest/QtTest>

namespace tc::testing {

inline exporting::ComponentSpec component(const char* type, QVariantMap parameters = {}) {
    return {QLatin1String(type), std::move(parameters), {}};
}

/// `spec` reading the components at `inputs` (indices; -1 is the images).
inline exporting::ComponentSpec fedBy(exporting::ComponentSpec spec, std::vector<int> inputs) {
    spec.inputs = std::move(inputs);
    return spec;
}

/// A graph like resources/examples/two-branch.tcproj's: ResNet18 (random weights) →
/// Dense 16 ReLU and Dense 8 ReLU with batch norm side by side → Concatenate → Dense 2
/// softmax.
inline std::vector<exporting::ComponentSpec> twoBranchGraph(int classes = 2) {
    return {component("ResNet", {{"variant", "18"}, {"pretrained", "none"}}),
            fedBy(component("Dense", {{"units", 16}, {"activation", "relu"}}), {0}),
            fedBy(component("Dense", {{"units", 8}, {"activation", "relu"}, {"batch_norm", true}}),
                  {0}),
            fedBy(component("Concatenate"), {1, 2}),
            fedBy(component("Dense", {{"units", classes}, {"activation", "softmax"}}), {3})};
}

/// Add, GELU and a branch that reads the backbone's features directly: ResNet18 →
/// Dense 512 tanh → Add(ResNet, Dense, GELU(Dense 512)) → Dense 3.
inline std::vector<exporting::ComponentSpec> addGeluGraph() {
    return {component("ResNet", {{"variant", "18"}, {"pretrained", "none"}}),
            fedBy(component("Dense", {{"units", 512}, {"activation", "tanh"}}), {0}),
            fedBy(component("Dense", {{"units", 512}, {"activation", "none"}}), {0}),
            fedBy(component("GELU"), {2}),
            fedBy(component("Add"), {0, 1, 3}),
            fedBy(component("Dense", {{"units", 3}}), {4})};
}

/// The tests' flagship: ResNet18 (random weights) → Dense 32 ReLU with batch norm and
/// dropout → Dense 2 softmax, at 64×64.
inline std::vector<exporting::ComponentSpec> flagshipChain(int classes = 2) {
    return {
        component("ResNet", {{"variant", "18"}, {"pretrained", "none"}}),
        component("Dense",
                  {{"units", 32}, {"activation", "relu"}, {"batch_norm", true}, {"dropout", 0.2}}),
        component("Dense", {{"units", classes}, {"activation", "softmax"}})};
}

/// A model with trained-looking tensors: LibTorch's initialisation (seeded), then batch-norm
/// statistics and affine parameters drawn away from 0/1 so that using the wrong statistics
/// (training mode, missing buffers) changes the output.
/// A small CNN using every layer type and option the exporters translate: convolutions
/// with each activation, same/valid padding, pools, batch norms, GELU and dropout; 4 classes.
inline std::vector<exporting::ComponentSpec> smallCnnWithEveryLayer() {
    return {component("Conv2D", {{"filters", 8}, {"activation", "relu"}}),
            component("MaxPool2D", {{"pool_size", 3}, {"stride", 2}, {"padding", "same"}}),
            component("BatchNorm"),
            component("Conv2D", {{"filters", 6},
                                 {"kernel_size", 5},
                                 {"stride", 2},
                                 {"padding", "valid"},
                                 {"activation", "leaky_relu"},
                                 {"use_bias", false}}),
            component("MaxPool2D"),
            component("Conv2D", {{"filters", 4}, {"activation", "tanh"}}),
            component("GlobalAvgPool"),
            component("BatchNorm"),
            component("Dense", {{"units", 16}, {"activation", "gelu"}, {"dropout", 0.5}}),
            component("Dense", {{"units", 4}, {"activation", "softmax"}})};
}

inline exporting::TrainedModel makeModel(const std::vector<exporting::ComponentSpec>& components,
                                         int classes = 2, int width = 64, int height = 64,
                                         std::uint64_t seed = 7) {
    torch::manual_seed(seed);
    exporting::TrainedModel model;
    model.components = components;
    model.preprocessing.width = width;
    model.preprocessing.height = height;
    for (int c = 0; c < classes; ++c)
        model.classNames << (classes == 2 ? QStringList{QStringLiteral("benign"),
                                                        QStringLiteral("malignant")}[c]
                                          : QStringLiteral("class %1").arg(c));
    QString error;
    std::optional<exporting::ChainModel> chain =
        exporting::ChainModel::initialise(components, model.inputShape(), &error);
    if (!chain)
        qFatal("makeModel: %s", qPrintable(error));
    torch::NoGradGuard noGrad;
    for (const auto& item : chain->namedTensors()) {
        const QString name = QString::fromStdString(item.key());
        torch::Tensor value = item.value();
        if (name.endsWith(QLatin1String("running_mean")))
            value.copy_(torch::randn_like(value) * 0.1);
        else if (name.endsWith(QLatin1String("running_var")))
            value.copy_(torch::rand_like(value) * 0.5 + 0.75);
        else if (name.contains(QLatin1String("bn")) || name.contains(QLatin1String("norm")) ||
                 name.contains(QLatin1String("downsample.1"))) {
            if (name.endsWith(QLatin1String(".weight")))
                value.copy_(torch::rand_like(value) * 0.5 + 0.75);
            else if (name.endsWith(QLatin1String(".bias")))
                value.copy_(torch::randn_like(value) * 0.1);
        }
        model.tensors.insert(item.key(), value.clone());
    }
    // Deep random networks (ResNet50) give huge logits and saturated, input-independent
    // probabilities; scale the last linear layer so that the logits spread about ±1.
    const std::string lastWeight =
        model.tensorPrefix(int(components.size()) - 1).toStdString() + "linear.weight";
    if (model.tensors.find(lastWeight)) {
        std::optional<exporting::ChainModel> built = exporting::ChainModel::build(model, &error);
        if (!built)
            qFatal("makeModel: %s", qPrintable(error));
        const double spread =
            built->logits(torch::randn({4, 3, height, width})).std().item<double>();
        if (spread > 1.0) {
            const std::string lastBias =
                model.tensorPrefix(int(components.size()) - 1).toStdString() + "linear.bias";
            model.tensors[lastWeight].div_(spread);
            model.tensors[lastBias].div_(spread);
        }
    }
    model.metadata = QJsonObject{{QStringLiteral("note"), QStringLiteral("test model")}};
    return model;
}

/// A smooth colourful test image (gradients, a disc, stripes, a little noise), so that
/// resizing has structure to preserve; 8-bit BGR as OpenCV writes it.
inline cv::Mat testImage(int width, int height, int seed) {
    cv::Mat image(height, width, CV_8UC3);
    cv::RNG random(static_cast<std::uint64_t>(seed) + 1);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double u = double(x) / width, v = double(y) / height;
            const double disc = (u - 0.5) * (u - 0.5) + (v - 0.4) * (v - 0.4) < 0.06 ? 80 : 0;
            const double stripes = ((x / 3 + y / 5 + seed) % 4 == 0) ? 40 : 0;
            cv::Vec3b& pixel = image.at<cv::Vec3b>(y, x);
            pixel[0] = cv::saturate_cast<uchar>(200 * u + stripes + random.uniform(-12, 12));
            pixel[1] = cv::saturate_cast<uchar>(180 * v + disc + random.uniform(-12, 12));
            pixel[2] = cv::saturate_cast<uchar>(90 + disc - stripes + 60 * u * v +
                                                random.uniform(-12, 12));
        }
    }
    return image;
}

/// Writes testImage() to `folder/name`; returns the path.
inline QString writeTestImage(const QString& folder, const QString& name, int width, int height,
                              int seed) {
    const QString path = QDir(folder).filePath(name);
    if (!cv::imwrite(QFile::encodeName(path).toStdString(), testImage(width, height, seed)))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

/// Runs a program; returns stdout, and the exit code / stderr through the pointers.
inline QByteArray runProgram(const QString& program, const QStringList& arguments,
                             int* exitCode = nullptr, QByteArray* standardError = nullptr,
                             int timeoutMs = 120000) {
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    if (exitCode)
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    if (standardError)
        *standardError = process.readAllStandardError();
    return process.readAllStandardOutput();
}

inline QString testTool(const char* name) {
    return QStringLiteral(TORCHCANVAS_SOURCE_DIR "/tests/tools/") + QLatin1String(name);
}

/// A fresh, empty folder under the test output directory.
inline QString freshFolder(const QString& name) {
    QDir root(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR));
    QDir(root.filePath(name)).removeRecursively();
    root.mkpath(name);
    return root.filePath(name);
}

} // namespace tc::testing
