// One Grad-CAM heatmap end to end through TorchCanvas's Explainer: decode the image file,
// preprocess (resize to the model's input, normalise), forward, backward to layer4, map,
// upsample, normalise. Run through tests/benchmarks/run_gradcam_benchmark.py, which puts the
// Python peer (torchvision + autograd hooks, tests/benchmarks/gradcam_python.py) in the same
// run with the same image and weights.
//
//   bench_gradcam --weights resnet50.pth --image IMAGE [--size 224] [--iterations 5]
//                 [--threads 2] [--npy MAP.npy] [--work DIR]
//
// The .pth is a torchvision resnet50 state dict whose fc is Linear(2048, 2); it becomes
// ResNet50 → Dense 2 (fc as the Dense layer). Prints one JSON line: {"program", "seconds"
// (wall, per heatmap), "cpu_seconds" (this process's CPU time per heatmap), "probabilities"}.

#include "core/export/Explainer.h"
#include "core/export/SafeTensorsExport.h"
#include "core/nn/StateDict.h"
#include "core/util/Npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <sys/resource.h>
#include <torch/torch.h>

using namespace tc;
using namespace tc::exporting;

namespace {

/// CPU seconds this process has used (all threads): unlike the wall clock, it does not grow
/// when other programs take the cores.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

int failWith(const QString& message) {
    std::fprintf(stderr, "bench_gradcam: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption weightsOption(QStringLiteral("weights"),
                                           QStringLiteral("torchvision resnet50 .pth, fc 2048→2"),
                                           QStringLiteral("PTH"));
    const QCommandLineOption imageOption(QStringLiteral("image"), QStringLiteral("Image file."),
                                         QStringLiteral("IMAGE"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Input size."),
                                        QStringLiteral("N"), QStringLiteral("224"));
    const QCommandLineOption iterationsOption(QStringLiteral("iterations"),
                                              QStringLiteral("Timed heatmaps."),
                                              QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("LibTorch threads."), QStringLiteral("N"),
                                           QStringLiteral("2"));
    const QCommandLineOption npyOption(
        QStringLiteral("npy"), QStringLiteral("Write the last map here."), QStringLiteral("FILE"));
    parser.addOptions(
        {weightsOption, imageOption, sizeOption, iterationsOption, threadsOption, npyOption});
    parser.process(app);
    torch::set_num_threads(parser.value(threadsOption).toInt());
    const int size = parser.value(sizeOption).toInt();
    const int iterations = std::max(1, parser.value(iterationsOption).toInt());

    QString error;
    const std::optional<nn::StateDict> tensors =
        nn::readWeightsFile(parser.value(weightsOption), &error);
    if (!tensors)
        return failWith(error);
    TrainedModel model;
    auto component = [](const char* type, QVariantMap parameters) {
        return ComponentSpec{QString::fromLatin1(type), std::move(parameters)};
    };
    model.components = {
        component("ResNet", {{QStringLiteral("variant"), QStringLiteral("50")},
                             {QStringLiteral("pretrained"), QStringLiteral("none")},
                             {QStringLiteral("trainable"), QStringLiteral("frozen")},
                             {QStringLiteral("pooling"), QStringLiteral("avg")}}),
        component("Dense", {{QStringLiteral("units"), 2},
                            {QStringLiteral("activation"), QStringLiteral("softmax")}})};
    model.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    model.preprocessing.width = size;
    model.preprocessing.height = size;
    for (const auto& item : *tensors) {
        const QString name = QString::fromStdString(item.key());
        const QString mapped = name.startsWith(QLatin1String("fc."))
                                   ? QStringLiteral("head.0.linear.") + name.mid(3)
                                   : QStringLiteral("backbone.") + name;
        model.tensors.insert(mapped.toStdString(), item.value());
    }
    // The Explainer opens model files; a safetensors export is the cheapest to write.
    QTemporaryDir work;
    const QString modelPath = QDir(work.path()).filePath(QStringLiteral("model.safetensors"));
    QStringList written;
    if (!writeSafeTensorsModel(model, modelPath, &written, &error))
        return failWith(error);
    std::unique_ptr<Explainer> explainer = Explainer::open(modelPath, &error);
    if (!explainer)
        return failWith(error);

    const QString image = parser.value(imageOption);
    Explanation explanation = explainer->explain(image, 1); // warm-up: allocators, oneDNN
    if (!explanation.ok())
        return failWith(explanation.error);
    QJsonArray seconds, cpuSeconds;
    for (int i = 0; i < iterations; ++i) {
        const double cpuStart = processCpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        explanation = explainer->explain(image, 1);
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        cpuSeconds.append(processCpuSeconds() - cpuStart);
        seconds.append(elapsed.count());
        if (!explanation.ok())
            return failWith(explanation.error);
    }
    if (parser.isSet(npyOption) && !util::writeNpy(parser.value(npyOption), explanation.map.data(),
                                                   explanation.height, explanation.width, &error))
        return failWith(error);
    QJsonArray probabilities;
    for (const float p : explanation.probabilities)
        probabilities.append(double(p));
    const QJsonObject json{{QStringLiteral("program"), QStringLiteral("torchcanvas")},
                           {QStringLiteral("seconds"), seconds},
                           {QStringLiteral("cpu_seconds"), cpuSeconds},
                           {QStringLiteral("probabilities"), probabilities}};
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
