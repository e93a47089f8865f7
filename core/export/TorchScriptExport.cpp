#include "core/export/TorchScriptExport.h"

#include "core/export/ChainModel.h"
#include "core/export/components/ResNetExport.h"
#include "core/export/ExportMappings.h"
#include "core/export/ScriptWriter.h"
#include "core/util/BuildInfo.h"
#include "core/util/FileErrors.h"

#include <algorithm>
#include <cstdio>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <sstream>

namespace tc::exporting {

namespace {

// The deployable form's preprocessing, identical for every model: the sizes, the crop flag
// and the normalisation are attributes. It reproduces core/data/ImagePipeline for 8-bit
// images (docs/DATA.md, "The image pipeline, call by call"):
//   * the resize rule (stretch, or shorter-side-crop's covering size in integers),
//   * cv::resize INTER_AREA when shrinking in both directions: the integer-scale fast path
//     (2×2: (sum + 2) >> 2; others: sum × float(1/area), rounded half to even) and the
//     general path (OpenCV's area table in double, float32 weights, float32 accumulation in
//     the same order, rounded half to even),
//   * cv::resize INTER_LINEAR otherwise, in OpenCV's fixed point: 11-bit coefficients, the
//     horizontal pass in integers, the vertical pass as its SIMD code does it
//     (((a >> 4) · b) >> 16 summed, + 2, >> 2); x positions are clamped at the borders, y
//     coefficients are not (the rows are),
//   * centre crop, then x / 255 and (x − mean) / std in float32.
// Each step was checked against cv2.resize on random images (tests/tools/resize_check.py
// and tst_exporttorchscript).
constexpr auto kPreprocessingSource = R"TS(
def _linear_table(self, source: int, target: int, clamp: bool) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    scale = 1.0 / (float(target) / float(source))
    position = ((torch.arange(target, dtype=torch.float64) + 0.5) * scale - 0.5).to(torch.float32)
    start = torch.floor(position)
    fraction = position - start
    index = start.to(torch.int64)
    if clamp:
        low = index < 0
        fraction = torch.where(low, torch.zeros_like(fraction), fraction)
        index = torch.where(low, torch.zeros_like(index), index)
        high = index >= source - 1
        fraction = torch.where(high, torch.zeros_like(fraction), fraction)
        index = torch.where(high, torch.full_like(index, source - 1), index)
    first = torch.clamp(index, 0, source - 1)
    second = torch.clamp(index + 1, 0, source - 1)
    weight_first = torch.round((1.0 - fraction) * 2048.0).to(torch.int64)
    weight_second = torch.round(fraction * 2048.0).to(torch.int64)
    return first, second, weight_first, weight_second

def _resize_linear(self, image: Tensor, width: int, height: int) -> Tensor:
    x0, x1, a0, a1 = self._linear_table(image.size(1), width, True)
    y0, y1, b0, b1 = self._linear_table(image.size(0), height, False)
    pixels = image.to(torch.int64)
    rows = pixels.index_select(1, x0) * a0.view(1, -1, 1) + pixels.index_select(1, x1) * a1.view(1, -1, 1)
    top = torch.div(torch.div(rows.index_select(0, y0), 16, rounding_mode='floor') * b0.view(-1, 1, 1), 65536, rounding_mode='floor')
    bottom = torch.div(torch.div(rows.index_select(0, y1), 16, rounding_mode='floor') * b1.view(-1, 1, 1), 65536, rounding_mode='floor')
    out = torch.div(top + bottom + 2, 4, rounding_mode='floor')
    return torch.clamp(out, 0, 255).to(torch.uint8)

def _area_table(self, source: int, target: int) -> Tuple[Tensor, Tensor]:
    scale = 1.0 / (float(target) / float(source))
    start = torch.arange(target, dtype=torch.float64) * scale
    end = start + scale
    cell = torch.clamp(float(source) - start, max=scale)
    last = torch.clamp(torch.floor(end), max=float(source - 1))
    first = torch.minimum(torch.ceil(start), last)
    taps = int(scale) + 2
    candidate = first.view(-1, 1) - 1.0 + torch.arange(taps, dtype=torch.float64).view(1, -1)
    left = (candidate == (first - 1.0).view(-1, 1)) & ((first - start) > 1e-3).view(-1, 1)
    full = (candidate >= first.view(-1, 1)) & (candidate < last.view(-1, 1))
    right = (candidate == last.view(-1, 1)) & ((end - last) > 1e-3).view(-1, 1)
    left_weight = ((first - start) / cell).view(-1, 1).expand(target, taps)
    full_weight = (1.0 / cell).view(-1, 1).expand(target, taps)
    right_weight = (torch.minimum(torch.clamp(end - last, max=1.0), cell) / cell).view(-1, 1).expand(target, taps)
    zero = torch.zeros_like(left_weight)
    weight = torch.where(left, left_weight, torch.where(full, full_weight, torch.where(right, right_weight, zero)))
    index = torch.clamp(candidate, 0.0, float(source - 1)).to(torch.int64)
    return index, weight.to(torch.float32)

def _resize_area(self, image: Tensor, width: int, height: int) -> Tensor:
    h = image.size(0)
    w = image.size(1)
    scale_x = 1.0 / (float(width) / float(w))
    scale_y = 1.0 / (float(height) / float(h))
    whole_x = int(scale_x + 0.5)
    whole_y = int(scale_y + 0.5)
    if abs(scale_x - whole_x) < 2.220446049250313e-16 and abs(scale_y - whole_y) < 2.220446049250313e-16:
        pixels = image[0:height * whole_y, 0:width * whole_x].to(torch.int64)
        sums = pixels.reshape(height, whole_y, width, whole_x, 3).sum([1, 3])
        if whole_x == 2 and whole_y == 2:
            out = torch.div(sums + 2, 4, rounding_mode='floor')
        else:
            factor = torch.full([1], 1.0 / float(whole_x * whole_y), dtype=torch.float32)
            out = torch.round(sums.to(torch.float32) * factor).to(torch.int64)
        return torch.clamp(out, 0, 255).to(torch.uint8)
    pixels = image.to(torch.float32)
    index, weight = self._area_table(w, width)
    rows = torch.zeros([h, width, 3], dtype=torch.float32)
    for t in range(index.size(1)):
        rows = rows + pixels.index_select(1, index[:, t]) * weight[:, t].view(1, -1, 1)
    index, weight = self._area_table(h, height)
    out = torch.zeros([height, width, 3], dtype=torch.float32)
    for t in range(index.size(1)):
        out = out + rows.index_select(0, index[:, t]) * weight[:, t].view(-1, 1, 1)
    return torch.clamp(torch.round(out), 0.0, 255.0).to(torch.uint8)

def _prepare(self, image: Tensor) -> Tensor:
    h = image.size(0)
    w = image.size(1)
    width = self.input_width
    height = self.input_height
    resized_width = width
    resized_height = height
    if self.centre_crop:
        if w * height >= h * width:
            resized_width = max(width, (w * height + h // 2) // h)
        else:
            resized_height = max(height, (h * width + w // 2) // w)
    if resized_width != w or resized_height != h:
        if resized_width <= w and resized_height <= h:
            image = self._resize_area(image, resized_width, resized_height)
        else:
            image = self._resize_linear(image, resized_width, resized_height)
    x0 = (resized_width - width) // 2
    y0 = (resized_height - height) // 2
    image = image[y0:y0 + height, x0:x0 + width]
    x = image.permute(2, 0, 1).to(torch.float32) / 255.0
    return (x - self.input_mean) / self.input_std

def preprocess(self, image: Tensor) -> Tensor:
    assert image.dtype == torch.uint8, "TorchCanvas model: expected uint8 RGB pixels [H, W, 3] or [N, H, W, 3]"
    if image.dim() == 3:
        image = image.unsqueeze(0)
    assert image.dim() == 4 and image.size(3) == 3, "TorchCanvas model: expected uint8 RGB pixels [H, W, 3] or [N, H, W, 3]"
    assert image.size(1) > 0 and image.size(2) > 0, "TorchCanvas model: the image is empty"
    prepared: List[Tensor] = []
    for i in range(image.size(0)):
        prepared.append(self._prepare(image[i]))
    return torch.stack(prepared)

def forward(self, image: Tensor) -> Tensor:
    return self.classify(self.preprocess(image))
)TS";

// Grad-CAM as core/export/Explainer does it (docs/EXPLAIN.md): layer4's output A is a leaf
// that requires grad, the logits are recorded from it, α = spatial mean of ∂logit/∂A,
// map = ReLU(Σ α A), bilinear upsampling (align_corners false) to the input size, min-max to
// [0, 1] per image (zeros when the map is constant). class_index -1 explains each image's
// most probable class. Grad mode is switched on for the call (a caller under no_grad would
// otherwise get no gradient) and restored after it.
constexpr auto kGradCamSource = R"TS(
def _gradcam(self, x: Tensor, class_index: int) -> Tensor:
    enabled = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    activations = self.features(x).detach().requires_grad_(True)
    logits = self.head(activations)
    assert class_index >= -1 and class_index < logits.size(1), "TorchCanvas model: no such class"
    if class_index < 0:
        chosen = torch.argmax(logits, 1)
    else:
        chosen = torch.full([logits.size(0)], class_index, dtype=torch.int64)
    selected = logits.gather(1, chosen.view(-1, 1)).sum()
    gradients = torch.autograd.grad([selected], [activations])
    torch.set_grad_enabled(enabled)
    gradient = gradients[0]
    assert gradient is not None
    activations = activations.detach()
    weights = gradient.mean([2, 3], True)
    cam = torch.relu((weights * activations).sum(1, True))
    cam = torch.upsample_bilinear2d(cam, [x.size(2), x.size(3)], False, None, None)
    maps: List[Tensor] = []
    for i in range(cam.size(0)):
        m = cam[i, 0]
        low = m.min()
        extent = float(m.max() - low)
        if extent > 0.0 and extent < float('inf'):
            maps.append((m - low) / extent)
        else:
            maps.append(torch.zeros_like(m))
    return torch.stack(maps)
)TS";

/// Writes classify(x): the component chain on normalised images, ending in probabilities. Each
/// layer is written by its component's mapping (core/export/components/).
class ClassifyWriter {
public:
    explicit ClassifyWriter(const ChainModel& chain)
        : m_chain(chain) {}

    /// `temperature`: the probabilities are softmax(logits / self.temperature). `split`:
    /// features(x) (the backbone up to and including layer4) and head(a) (the rest, giving
    /// logits) are methods of their own, so that gradcam() can differentiate with respect to
    /// layer4's output; classify(x) is head(features(x)) then the softmax.
    bool write(QString* source, QString* error, bool temperature, bool split) {
        const QString probabilities =
            temperature ? QStringLiteral("torch.softmax(%1 / self.temperature, 1)")
                        : QStringLiteral("torch.softmax(%1, 1)");
        try {
            if (split) {
                writeSplit(probabilities);
            } else {
                m_w.raw(QStringLiteral("def classify(self, x: Tensor) -> Tensor:"));
                writeLayers(0);
                m_w.line(QStringLiteral("return ") + probabilities.arg(QStringLiteral("x")));
            }
        } catch (const std::runtime_error& failure) {
            if (error)
                *error = QString::fromUtf8(failure.what());
            return false;
        }
        *source = m_w.source();
        return true;
    }

private:
    void writeSplit(const QString& probabilities) {
        const auto& layers = m_chain.layers();
        const auto* resnet = layers.empty() ? nullptr : layers.front().as<nn::ResNetImpl>();
        if (!resnet)
            throw std::runtime_error("explanations need a model that starts with a ResNet");
        m_w.raw(QStringLiteral("def features(self, x: Tensor) -> Tensor:"));
        components::writeResNetFeatures(m_w, *resnet, layers.front().prefix);
        m_w.line(QStringLiteral("return x"));
        m_w.raw(QString());
        m_w.raw(QStringLiteral("def head(self, x: Tensor) -> Tensor:"));
        components::writeResNetPooling(m_w, *resnet);
        writeLayers(1);
        m_w.line(QStringLiteral("return x"));
        m_w.raw(QString());
        m_w.raw(QStringLiteral("def classify(self, x: Tensor) -> Tensor:"));
        m_w.line(QStringLiteral("return ") +
                 probabilities.arg(QStringLiteral("self.head(self.features(x))")));
    }

    /// The layers from `first` on, x holding the input of layer `first` (the images, or the
    /// pooled features in head()). A chain passes x along; a graph keeps each layer's value
    /// as v<i> for the layers that read it, and x ends as the last layer's value.
    void writeLayers(size_t first) {
        const auto& layers = m_chain.layers();
        if (m_chain.isChain()) {
            for (size_t i = first; i < layers.size(); ++i)
                writeLayer(layers[i], {}, i + 1 == layers.size());
            return;
        }
        m_w.line(first == 0 ? QStringLiteral("images = x") : QStringLiteral("v0 = x"));
        auto value = [&](int index) {
            if (index < 0) {
                if (first > 0)
                    throw std::runtime_error("explanations need a model whose only use of the "
                                             "images is its ResNet");
                return QStringLiteral("images");
            }
            return QStringLiteral("v%1").arg(index);
        };
        for (size_t i = first; i < layers.size(); ++i) {
            const ChainLayer& layer = layers[i];
            QStringList inputs;
            if (layer.takesInputList) {
                for (int input : layer.inputs)
                    inputs << value(input);
            } else {
                m_w.line(QStringLiteral("x = ") + value(layer.inputs.front()));
            }
            writeLayer(layer, inputs, i + 1 == layers.size());
            m_w.line(QStringLiteral("v%1 = x").arg(i));
        }
    }

    void writeLayer(const ChainLayer& layer, const QStringList& inputs, bool last) {
        const ExportMapping* mapping = ExportMappings::instance().find(layer.type);
        if (!mapping || !mapping->torchScript)
            throw std::runtime_error(QStringLiteral("component type '%1' cannot be exported")
                                         .arg(layer.type)
                                         .toStdString());
        mapping->torchScript(m_w, layer, inputs, last);
    }

    const ChainModel& m_chain;
    ScriptWriter m_w;
};

/// TorchScript compiled from C++ cannot name dtypes (torch.float32 is a Python object); it
/// takes their ScalarType numbers.
QString withDtypeNumbers(const char* text) {
    QString source = QString::fromUtf8(text);
    const std::pair<const char*, c10::ScalarType> dtypes[] = {{"torch.float64", torch::kFloat64},
                                                              {"torch.float32", torch::kFloat32},
                                                              {"torch.int64", torch::kInt64},
                                                              {"torch.uint8", torch::kUInt8}};
    for (const auto& [name, type] : dtypes)
        source.replace(QLatin1String(name), QString::number(int(type)));
    return source;
}

std::optional<QString> generate(const ChainModel& chain, const TorchScriptOptions& options,
                                bool temperature, QString* error) {
    QString source;
    ClassifyWriter writer(chain);
    if (!writer.write(&source, error, temperature, options.withExplanations))
        return std::nullopt;
    if (options.withExplanations) {
        source += withDtypeNumbers(kGradCamSource);
        source += options.withPreprocessing
                      ? QStringLiteral("\ndef gradcam(self, image: Tensor, class_index: int) -> "
                                       "Tensor:\n    return self._gradcam(self.preprocess(image), "
                                       "class_index)\n")
                      : QStringLiteral("\ndef gradcam(self, x: Tensor, class_index: int) -> "
                                       "Tensor:\n    return self._gradcam(x, class_index)\n");
    }
    if (options.withPreprocessing)
        source += withDtypeNumbers(kPreprocessingSource);
    else
        source += QStringLiteral("\ndef forward(self, x: Tensor) -> Tensor:\n"
                                 "    return self.classify(x)\n");
    return source;
}

bool failWith(QString* error, const QString& reason) {
    if (error)
        *error = reason;
    return false;
}

} // namespace

QString scriptErrorLine(const std::exception& failure) {
    const auto* c10Error = dynamic_cast<const c10::Error*>(&failure);
    const QString text =
        QString::fromUtf8(c10Error ? c10Error->what_without_backtrace() : failure.what());
    // TorchScript compile errors start with an empty line and end with source context.
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.first().trimmed();
}

QString scriptAttributeName(const QString& tensorName) {
    QString name = tensorName;
    name.replace(QLatin1Char('.'), QLatin1Char('_'));
    return name;
}

QJsonObject scriptMetadata(const TrainedModel& model, const TorchScriptOptions& options) {
    QJsonObject json = model.configJson();
    json.insert(QStringLiteral("form"), options.withPreprocessing
                                            ? QStringLiteral("torchscript-with-preprocessing")
                                            : QStringLiteral("torchscript"));
    QString usage = options.withPreprocessing
                        ? QStringLiteral("forward(image): uint8 RGB [H, W, 3] or [N, H, W, 3] of "
                                         "any size -> class probabilities [N, classes]")
                        : QStringLiteral("forward(x): float32 [N, 3, H, W] normalised as in "
                                         "'preprocessing' -> class probabilities [N, classes]");
    if (model.operatingPoint)
        usage += QStringLiteral(" = softmax(logits / temperature); decide with probability of "
                                "class decision_positive_class_index >= decision_threshold");
    if (options.withExplanations)
        usage += options.withPreprocessing
                     ? QStringLiteral("; gradcam(image, class_index) -> Grad-CAM maps [N, "
                                      "input_height, input_width] in [0, 1] (class_index -1: "
                                      "the most probable class)")
                     : QStringLiteral("; gradcam(x, class_index) -> Grad-CAM maps [N, H, W] in "
                                      "[0, 1] (class_index -1: the most probable class)");
    json.insert(QStringLiteral("usage"), usage);
    json.insert(QStringLiteral("explanations"), options.withExplanations);
    QJsonObject attributes;
    for (const auto& item : model.tensors) {
        const QString name = QString::fromStdString(item.key());
        attributes.insert(scriptAttributeName(name), name);
    }
    json.insert(QStringLiteral("attributes"), attributes);
    return json;
}

std::optional<QString> scriptSource(const TrainedModel& model, const TorchScriptOptions& options,
                                    QString* error) {
    std::optional<ChainModel> chain = ChainModel::build(model, error);
    if (!chain)
        return std::nullopt;
    return generate(*chain, options, model.operatingPoint.has_value(), error);
}

std::optional<torch::jit::Module>
makeScriptModule(const TrainedModel& model, const TorchScriptOptions& options, QString* error) {
    std::optional<ChainModel> chain = ChainModel::build(model, error);
    if (!chain)
        return std::nullopt;
    const std::optional<QString> source =
        generate(*chain, options, model.operatingPoint.has_value(), error);
    if (!source)
        return std::nullopt;

    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    try {
        torch::jit::Module module(c10::QualifiedName("__torch__.torchcanvas.Classifier"));
        // Registered by name, so that the archive's code (which lists the attributes) is the
        // same whichever file the tensors came from: loadVerifiedTorchScript() compares it.
        std::vector<std::pair<QString, torch::Tensor>> sorted;
        for (const auto& item : model.tensors)
            sorted.emplace_back(QString::fromStdString(item.key()), item.value());
        std::sort(sorted.begin(), sorted.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        QSet<QString> used;
        for (const auto& [name, tensor] : sorted) {
            const QString attribute = scriptAttributeName(name);
            if (!identifier.match(attribute).hasMatch() || used.contains(attribute)) {
                failWith(error, QStringLiteral("tensor name '%1' cannot be a TorchScript "
                                               "attribute")
                                    .arg(name));
                return std::nullopt;
            }
            used.insert(attribute);
            // A copy, detached from any autograd history: the exported model only infers.
            torch::Tensor value = tensor.detach().clone().contiguous();
            module.register_parameter(attribute.toStdString(), value, isBufferName(name));
        }

        const data::PreprocessingSettings& preprocessing = model.preprocessing;
        const Normalisation normalisation = normalisationOf(preprocessing);
        c10::List<std::string> classNames;
        for (const QString& name : model.classNames)
            classNames.push_back(name.toStdString());
        module.register_attribute("class_names", c10::ListType::ofStrings(), classNames);
        module.register_attribute("input_shape", c10::ListType::ofInts(),
                                  c10::List<int64_t>(model.inputShape()));
        module.register_attribute("mean", c10::ListType::ofFloats(),
                                  c10::List<double>({normalisation.mean[0], normalisation.mean[1],
                                                     normalisation.mean[2]}));
        module.register_attribute(
            "std", c10::ListType::ofFloats(),
            c10::List<double>({normalisation.std[0], normalisation.std[1], normalisation.std[2]}));
        module.register_attribute(
            "preprocessing", c10::StringType::get(),
            QJsonDocument(preprocessing.toJson()).toJson(QJsonDocument::Compact).toStdString());
        module.register_attribute("with_preprocessing", c10::BoolType::get(),
                                  options.withPreprocessing);
        module.register_attribute("torchcanvas_version", c10::StringType::get(),
                                  buildInfo().torchCanvas.toStdString());
        // Only models with an operating point have these, so that the code of older exports
        // (which TorchScriptTrust compares byte for byte) stays what it was.
        if (const auto& point = model.operatingPoint) {
            module.register_attribute("temperature", c10::FloatType::get(), point->temperature);
            module.register_attribute("decision_threshold", c10::FloatType::get(),
                                      point->threshold);
            module.register_attribute("decision_positive_class_index", c10::IntType::get(),
                                      static_cast<int64_t>(point->positiveClass));
            module.register_attribute("decision_positive_class", c10::StringType::get(),
                                      model.classNames.value(point->positiveClass).toStdString());
            module.register_attribute(
                "decision_chosen_by", c10::StringType::get(),
                QJsonDocument(point->policy.toJson()).toJson(QJsonDocument::Compact).toStdString());
            module.register_attribute("decision", c10::StringType::get(),
                                      point->describe().toStdString());
        }
        if (options.withPreprocessing) {
            module.register_attribute("input_width", c10::IntType::get(),
                                      static_cast<int64_t>(preprocessing.width));
            module.register_attribute("input_height", c10::IntType::get(),
                                      static_cast<int64_t>(preprocessing.height));
            module.register_attribute("centre_crop", c10::BoolType::get(),
                                      preprocessing.resize ==
                                          data::PreprocessingSettings::Resize::ShorterSideCrop);
            module.register_buffer(
                "input_mean",
                torch::tensor({normalisation.mean[0], normalisation.mean[1], normalisation.mean[2]},
                              torch::kFloat32)
                    .view({3, 1, 1}));
            module.register_buffer(
                "input_std",
                torch::tensor({normalisation.std[0], normalisation.std[1], normalisation.std[2]},
                              torch::kFloat32)
                    .view({3, 1, 1}));
        }
        module.define(source->toStdString());
        module.eval();
        return module;
    } catch (const std::exception& failure) {
        failWith(error, QStringLiteral("cannot build the TorchScript module: %1")
                            .arg(scriptErrorLine(failure)));
        return std::nullopt;
    }
}

bool writeTorchScript(const TrainedModel& model, const QString& path,
                      const TorchScriptOptions& options, QString* error) {
    std::optional<torch::jit::Module> module = makeScriptModule(model, options, error);
    if (!module)
        return false;
    // Serialised in memory, then written through a QSaveFile: LibTorch's file writer aborts
    // the program when the disk fills up (its destructor throws), and every write and the
    // commit are checked here, so a full disk gives "no space left on …" and leaves an older
    // export in place.
    std::ostringstream bytes;
    try {
        torch::jit::ExtraFilesMap extra;
        extra[kTorchScriptMetadataFile] =
            QJsonDocument(scriptMetadata(model, options)).toJson().toStdString();
        module->save(bytes, extra);
    } catch (const std::exception& failure) {
        return failWith(error,
                        QStringLiteral("cannot write %1: %2").arg(path, scriptErrorLine(failure)));
    }
    const std::string archive = bytes.str();
    return writeFileAtomically(
        path, QByteArray::fromRawData(archive.data(), qsizetype(archive.size())), error);
}

} // namespace tc::exporting
