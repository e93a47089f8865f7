// Export measurements (docs/EXPORT.md): how closely the deployable TorchScript form's
// preprocessing follows the app's OpenCV pipeline, what the two unavoidable differences
// (reduced JPEG decoding, 16-bit images) cost in probabilities, and export/inference times
// and file sizes of every form for the flagship model.
//
// Usage: bench_export OUTPUT_FOLDER [--quick]
// Prints Markdown tables. --quick uses ResNet18 at 64×64 instead of ResNet50 at 224×224.

#include "core/data/ImagePipeline.h"
#include "core/export/ChainModel.h"
#include "core/export/Exporter.h"
#include "core/export/OnnxExport.h"
#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptExport.h"
#include "core/util/Runtime.h"

#include <chrono>
#include <cstdio>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <random>
#include <torch/script.h>

using namespace tc;
using namespace tc::exporting;

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

cv::Mat texture(int width, int height, std::uint32_t seed) {
    cv::Mat image(height, width, CV_8UC3);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> noise(-20, 20);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double u = double(x) / width, v = double(y) / height;
            const int stripes = ((x / 4 + y / 7) % 5 == 0) ? 50 : 0;
            image.at<cv::Vec3b>(y,
                                x) = {cv::saturate_cast<uchar>(60 + 150 * u + noise(random)),
                                      cv::saturate_cast<uchar>(40 + 120 * v + stripes),
                                      cv::saturate_cast<uchar>(200 - 100 * u * v + noise(random))};
        }
    return image;
}

torch::Tensor pipelineInput(const QString& path, const data::PreprocessingSettings& settings) {
    const data::ImagePipeline pipeline(settings);
    torch::Tensor out = torch::empty({1, 3, settings.height, settings.width});
    QString error;
    if (!pipeline.load(path, out.data_ptr<float>(), data::PixelLayout::Planar, std::nullopt,
                       &error))
        qFatal("%s", qPrintable(error));
    return out;
}

torch::Tensor pixelsOf(const QString& path) {
    cv::Mat bgr = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_COLOR), rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

TrainedModel flagship(bool quick) {
    TrainedModel model;
    model.components = {
        {QStringLiteral("ResNet"), {{"variant", quick ? 18 : 50}, {"pretrained", "none"}}},
        {QStringLiteral("Dense"), {{"units", 128}, {"activation", "relu"}}},
        {QStringLiteral("Dense"), {{"units", 64}, {"activation", "relu"}}},
        {QStringLiteral("Dense"), {{"units", 2}, {"activation", "softmax"}}}};
    model.preprocessing.width = model.preprocessing.height = quick ? 64 : 224;
    model.classNames = {QStringLiteral("benign"), QStringLiteral("malignant")};
    torch::manual_seed(1);
    QString error;
    auto chain = ChainModel::initialise(model.components, model.inputShape(), &error);
    if (!chain)
        qFatal("%s", qPrintable(error));
    model.tensors = chain->namedTensors();
    return model;
}

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    runtime::configureProcess();
    const QStringList arguments = app.arguments();
    if (arguments.size() < 2) {
        std::fprintf(stderr, "usage: bench_export OUTPUT_FOLDER [--quick]\n");
        return 2;
    }
    const QDir folder(arguments[1]);
    folder.mkpath(QStringLiteral("."));
    const bool quick = arguments.contains(QStringLiteral("--quick"));
    std::printf("threads: %d\n\n", runtime::configuredThreadCount());

    // ---- 1. Preprocessing: deployable TorchScript vs ImagePipeline on random sizes.
    {
        std::mt19937 random(2024);
        std::uniform_int_distribution<int> side(8, 900), target(16, 300);
        int configurations = 0, exact = 0;
        double largest = 0.0;
        std::int64_t values = 0, differing = 0;
        const int count = quick ? 60 : 300;
        for (int i = 0; i < count; ++i) {
            TrainedModel model;
            model.components = {{QStringLiteral("GlobalAvgPool"), {}},
                                {QStringLiteral("Dense"), {{"units", 2}}}};
            model.preprocessing.width = target(random);
            model.preprocessing.height = target(random);
            model.preprocessing.resize = i % 2
                                             ? data::PreprocessingSettings::Resize::ShorterSideCrop
                                             : data::PreprocessingSettings::Resize::Stretch;
            model.classNames = {QStringLiteral("a"), QStringLiteral("b")};
            QString error;
            auto chain = ChainModel::initialise(model.components, model.inputShape(), &error);
            model.tensors = chain->namedTensors();
            auto module = makeScriptModule(model, {true}, &error);
            if (!module)
                qFatal("%s", qPrintable(error));
            const int w = side(random), h = side(random);
            const QString path = folder.filePath(QStringLiteral("sweep.png"));
            cv::imwrite(QFile::encodeName(path).toStdString(), texture(w, h, i));
            const torch::Tensor expected = pipelineInput(path, model.preprocessing);
            const torch::Tensor actual =
                module->get_method("preprocess")({pixelsOf(path)}).toTensor();
            const torch::Tensor difference = (actual - expected).abs();
            ++configurations;
            exact += actual.equal(expected) ? 1 : 0;
            largest = std::max(largest, difference.max().item<double>());
            values += difference.numel();
            differing += (difference > 0).sum().item<std::int64_t>();
        }
        std::printf("## Deployable preprocessing vs the app's pipeline (8-bit PNG)\n\n"
                    "| configurations | bit-identical | values differing | largest difference |\n"
                    "|---|---|---|---|\n| %d random (image 8–900 px, target 16–300 px, both "
                    "resize modes) | %d | %lld of %lld | %g |\n\n",
                    configurations, exact, static_cast<long long>(differing),
                    static_cast<long long>(values), largest);
    }

    const TrainedModel model = flagship(quick);
    const int side = model.preprocessing.width;
    QString error;
    auto chain = ChainModel::build(model, &error);
    auto deployable = makeScriptModule(model, {true}, &error);
    if (!chain || !deployable)
        qFatal("%s", qPrintable(error));

    // ---- 2. The two differences the deployable form cannot remove.
    {
        std::printf("## Unavoidable differences (%s, random weights)\n\n"
                    "| image | app input vs deployable input: largest / mean |Δ| (normalised) | "
                    "largest |Δp| |\n|---|---|---|\n",
                    qPrintable(model.architectureSummary()));
        struct Case {
            const char* name;
            int width, height;
            bool jpeg, deep;
        };
        const Case cases[] = {
            {"JPEG, decoded at 1/2 by the app", 4 * side + 8, 2 * side + 40, true, false},
            {"JPEG, decoded at 1/4 by the app", 8 * side, 5 * side, true, false},
            {"JPEG, small (no reduction)", side + 30, side + 10, true, false},
            {"16-bit PNG (app: 16 bits, model: 8)", 2 * side + 5, side + 60, false, true}};
        for (const Case& c : cases) {
            const QString path = folder.filePath(
                QStringLiteral("case.") + (c.jpeg ? QStringLiteral("jpg") : QStringLiteral("png")));
            cv::Mat image = texture(c.width, c.height, 77);
            if (c.deep)
                image.convertTo(image, CV_16UC3, 257.0, 91.0);
            cv::imwrite(QFile::encodeName(path).toStdString(), image);
            const torch::Tensor appInput = pipelineInput(path, model.preprocessing);
            const torch::Tensor modelInput =
                deployable->get_method("preprocess")({pixelsOf(path)}).toTensor();
            const torch::Tensor difference = (appInput - modelInput).abs();
            const torch::Tensor pApp = chain->probabilities(appInput);
            const torch::Tensor pModel = deployable->forward({pixelsOf(path)}).toTensor();
            std::printf("| %s, %d×%d | %.4f / %.5f | %.2e |\n", c.name, c.width, c.height,
                        difference.max().item<double>(), difference.mean().item<double>(),
                        (pApp - pModel).abs().max().item<double>());
        }
        std::printf("\n");
    }

    // ---- 3. Export time, file size and inference time per form.
    {
        std::printf("## Export and inference, %s at %d×%d\n\n"
                    "| form | export s | file MB | batch of 16: s | vs app modules |Δp| |\n"
                    "|---|---|---|---|---|\n",
                    qPrintable(model.architectureSummary()), side, side);
        const torch::Tensor batch = torch::randn({16, 3, side, side});
        // The best of three after two warm-up runs (TorchScript profiles its first runs; the
        // machine is shared, so the minimum is the least disturbed measurement).
        auto timeRun = [&](auto&& run) {
            run();
            run();
            double best = 1e9;
            torch::Tensor out;
            for (int i = 0; i < 3; ++i) {
                const auto start = std::chrono::steady_clock::now();
                out = run();
                best = std::min(best, seconds(start));
            }
            return std::make_pair(best, out);
        };
        const auto [appSeconds, appOut] = timeRun([&] { return chain->probabilities(batch); });
        std::printf("| app modules (LibTorch, checkpoint) | – | – | %.3f | – |\n", appSeconds);
        for (const auto& [name, suffix, format, pre] :
             std::vector<std::tuple<const char*, const char*, ExportFormat, bool>>{
                 {"TorchScript", "bare.pt", ExportFormat::TorchScript, false},
                 {"TorchScript with preprocessing", "deployable.pt", ExportFormat::TorchScript,
                  true},
                 {"ONNX (OpenCV DNN)", "model.onnx", ExportFormat::Onnx, false},
                 {"safetensors", "model.safetensors", ExportFormat::SafeTensors, false}}) {
            const QString path = folder.filePath(QLatin1String(suffix));
            const auto start = std::chrono::steady_clock::now();
            bool ok = false;
            if (format == ExportFormat::TorchScript)
                ok = writeTorchScript(model, path, {pre}, &error);
            else if (format == ExportFormat::Onnx)
                ok = writeOnnx(model, path, &error);
            else
                ok = writeSafeTensorsModel(model, path, nullptr, &error);
            if (!ok)
                qFatal("%s", qPrintable(error));
            const double exportSeconds = seconds(start);
            const double megabytes = QFileInfo(path).size() / 1e6;
            if (format == ExportFormat::TorchScript && !pre) {
                torch::jit::Module loaded = torch::jit::load(path.toStdString());
                const auto [s, out] = timeRun([&] { return loaded.forward({batch}).toTensor(); });
                std::printf("| %s | %.2f | %.1f | %.3f | %.1e |\n", name, exportSeconds, megabytes,
                            s, (out - appOut).abs().max().item<double>());
            } else if (format == ExportFormat::Onnx) {
                cv::dnn::Net net = cv::dnn::readNetFromONNX(path.toStdString());
                const int sizes[4] = {16, 3, side, side};
                const auto [s, out] = timeRun([&] {
                    net.setInput(cv::Mat(4, sizes, CV_32F, batch.data_ptr<float>()));
                    cv::Mat result = net.forward();
                    return torch::from_blob(result.ptr<float>(), {16, 2}).clone();
                });
                std::printf("| %s | %.2f | %.1f | %.3f | %.1e |\n", name, exportSeconds, megabytes,
                            s, (out - appOut).abs().max().item<double>());
            } else if (format == ExportFormat::TorchScript) {
                // 16 histology-sized images (700×460) as decoded pixels, against the app's
                // pipeline (decode included on both sides) and modules.
                QStringList images;
                for (int i = 0; i < 16; ++i) {
                    images << folder.filePath(QStringLiteral("histology-%1.png").arg(i));
                    cv::imwrite(QFile::encodeName(images.back()).toStdString(),
                                texture(700, 460, 500 + i));
                }
                torch::jit::Module loaded = torch::jit::load(path.toStdString());
                const auto [s, out] = timeRun([&] {
                    std::vector<torch::Tensor> rows;
                    for (const QString& image : images)
                        rows.push_back(loaded.forward({pixelsOf(image)}).toTensor());
                    return torch::cat(rows);
                });
                const auto [appS, appImages] = timeRun([&] {
                    std::vector<torch::Tensor> rows;
                    for (const QString& image : images)
                        rows.push_back(pipelineInput(image, model.preprocessing));
                    return chain->probabilities(torch::cat(rows));
                });
                std::printf("| %s (16 PNGs 700×460, decode included; app pipeline + modules: "
                            "%.3f s) | %.2f | %.1f | %.3f | %.1e |\n",
                            name, appS, exportSeconds, megabytes, s,
                            (out - appImages).abs().max().item<double>());
            } else {
                std::printf("| %s | %.2f | %.1f | – | – |\n", name, exportSeconds, megabytes);
            }
        }
    }
    return 0;
}
