#include "core/export/TrainedModel.h"

#include "core/util/BuildInfo.h"

#include <algorithm>
#include <cmath>
#include <QJsonArray>
#include <QSet>

namespace tc::exporting {

namespace {

bool isResNet(const ComponentSpec& component) {
    return component.type.compare(QLatin1String("ResNet"), Qt::CaseInsensitive) == 0;
}

/// Parameter lookup as the component factory does it: case and underscores do not matter.
QVariant parameter(const QVariantMap& parameters, const QString& name) {
    const auto normalised = [](QString key) {
        return key.toLower().remove(QLatin1Char('_'));
    };
    const QString wanted = normalised(name);
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        if (normalised(it.key()) == wanted)
            return it.value();
    }
    return {};
}

QString componentSummary(const ComponentSpec& component) {
    const QString type = component.type;
    if (isResNet(component)) {
        const QString variant =
            parameter(component.parameters, QStringLiteral("variant")).toString();
        return QStringLiteral("ResNet") +
               (variant.isEmpty()
                    ? QStringLiteral("50")
                    : QString(variant).remove(QStringLiteral("resnet"), Qt::CaseInsensitive));
    }
    QStringList parts{type};
    for (const char* name :
         {"units", "filters", "kernel_size", "pool_size", "rate", "activation"}) {
        const QVariant value = parameter(component.parameters, QLatin1String(name));
        if (value.isValid() && !value.toString().isEmpty() &&
            value.toString() != QLatin1String("none"))
            parts << value.toString();
    }
    return parts.join(QLatin1Char(' '));
}

QJsonArray shapeJson(at::IntArrayRef sizes) {
    QJsonArray shape;
    for (const std::int64_t size : sizes)
        shape.append(static_cast<double>(size));
    return shape;
}

} // namespace

std::vector<std::int64_t> TrainedModel::inputShape() const {
    return {3, preprocessing.height, preprocessing.width};
}

bool TrainedModel::hasBackbone() const {
    return !components.empty() && isResNet(components.front());
}

bool TrainedModel::isChain() const {
    return std::all_of(components.begin(), components.end(),
                       [](const ComponentSpec& component) { return component.inputs.empty(); });
}

std::vector<int> TrainedModel::inputsOf(int index) const {
    if (index < 0 || index >= int(components.size()))
        return {};
    if (!components[index].inputs.empty())
        return components[index].inputs;
    return {index - 1};
}

QString TrainedModel::tensorPrefix(int index) const {
    if (index == 0 && hasBackbone())
        return QStringLiteral("backbone.");
    return QStringLiteral("head.%1.").arg(index - (hasBackbone() ? 1 : 0));
}

QString TrainedModel::architectureSummary() const {
    QStringList parts;
    for (const ComponentSpec& component : components)
        parts << componentSummary(component);
    return parts.join(QStringLiteral(" → "));
}

std::int64_t TrainedModel::parameterCount() const {
    std::int64_t count = 0;
    for (const auto& item : tensors) {
        const QString name = QString::fromStdString(item.key());
        if (name.endsWith(QLatin1String("running_mean")) ||
            name.endsWith(QLatin1String("running_var")) ||
            name.endsWith(QLatin1String("num_batches_tracked")))
            continue;
        count += item.value().numel();
    }
    return count;
}

QJsonObject TrainedModel::configJson() const {
    QJsonArray chain;
    for (int i = 0; i < int(components.size()); ++i) {
        QJsonObject component{
            {QStringLiteral("type"), components[i].type},
            {QStringLiteral("parameters"), QJsonObject::fromVariantMap(components[i].parameters)},
            {QStringLiteral("prefix"), tensorPrefix(i)}};
        // A graph's components say where their inputs come from; a chain's need not.
        if (!components[i].inputs.empty()) {
            QJsonArray inputs;
            for (int input : components[i].inputs)
                inputs.append(input);
            component.insert(QStringLiteral("inputs"), inputs);
        }
        chain.append(component);
    }
    QJsonObject tensorShapes;
    for (const auto& item : tensors)
        tensorShapes.insert(QString::fromStdString(item.key()), shapeJson(item.value().sizes()));
    const Normalisation normalisation = normalisationOf(preprocessing);
    QJsonArray input;
    for (const std::int64_t size : inputShape())
        input.append(static_cast<double>(size));
    return QJsonObject{
        {QStringLiteral("format"), QLatin1String(kModelConfigFormat)},
        {QStringLiteral("version"), kModelConfigVersion},
        {QStringLiteral("torchcanvas"), buildInfo().torchCanvas},
        {QStringLiteral("architecture"), architectureSummary()},
        {QStringLiteral("components"), chain},
        {QStringLiteral("classes"), QJsonArray::fromStringList(classNames)},
        {QStringLiteral("input"),
         QJsonObject{
             {QStringLiteral("shape"), input},
             {QStringLiteral("layout"), QStringLiteral("NCHW float32, RGB")},
             {QStringLiteral("mean"),
              QJsonArray{normalisation.mean[0], normalisation.mean[1], normalisation.mean[2]}},
             {QStringLiteral("std"),
              QJsonArray{normalisation.std[0], normalisation.std[1], normalisation.std[2]}}}},
        {QStringLiteral("output"),
         operatingPoint && operatingPoint->temperature != 1.0
             ? QStringLiteral("class probabilities [N, classes] (softmax(logits / temperature))")
             : QStringLiteral("class probabilities [N, classes] (softmax)")},
        {QStringLiteral("decision"), operatingPoint ? QJsonValue(operatingPoint->toJson())
                                                    : QJsonValue(QLatin1String(kNoOperatingPoint))},
        {QStringLiteral("preprocessing"), preprocessing.toJson()},
        {QStringLiteral("tensors"), tensorShapes},
        {QStringLiteral("metadata"), metadata}};
}

std::optional<TrainedModel> TrainedModel::fromConfigJson(const QJsonObject& json, QString* error) {
    auto fail = [&](const QString& reason) -> std::optional<TrainedModel> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    if (json.value(QStringLiteral("format")).toString() != QLatin1String(kModelConfigFormat))
        return fail(QStringLiteral("not a TorchCanvas model configuration"));
    const int version = json.value(QStringLiteral("version")).toInt();
    if (version > kModelConfigVersion)
        return fail(
            QStringLiteral("written by a newer TorchCanvas (model configuration version %1)")
                .arg(version));
    TrainedModel model;
    const QJsonValue chain = json.value(QStringLiteral("components"));
    if (!chain.isArray() || chain.toArray().isEmpty())
        return fail(QStringLiteral("the configuration lists no components"));
    for (const QJsonValue& value : chain.toArray()) {
        const QJsonObject object = value.toObject();
        const QString type = object.value(QStringLiteral("type")).toString();
        if (type.isEmpty())
            return fail(QStringLiteral("a component has no type"));
        ComponentSpec component{
            type, object.value(QStringLiteral("parameters")).toObject().toVariantMap(), {}};
        const QJsonValue inputs = object.value(QStringLiteral("inputs"));
        if (!inputs.isUndefined()) {
            const int index = int(model.components.size());
            if (!inputs.isArray() || inputs.toArray().isEmpty())
                return fail(QStringLiteral("component %1's \"inputs\" is not a list of "
                                           "component indices")
                                .arg(index + 1));
            for (const QJsonValue& input : inputs.toArray()) {
                const double number = input.toDouble(-2);
                if (!input.isDouble() || number != std::floor(number) || number < -1 ||
                    number >= index)
                    return fail(QStringLiteral("component %1 takes an input from %2, which is "
                                               "not an earlier component")
                                    .arg(index + 1)
                                    .arg(input.toVariant().toString()));
                component.inputs.push_back(int(number));
            }
        }
        model.components.push_back(component);
    }
    for (const QJsonValue& value : json.value(QStringLiteral("classes")).toArray())
        model.classNames << value.toString();
    if (model.classNames.size() < 2)
        return fail(QStringLiteral("the configuration names fewer than two classes"));
    if (QSet<QString>(model.classNames.begin(), model.classNames.end()).size() !=
        model.classNames.size())
        return fail(QStringLiteral("the configuration names a class twice"));
    QString preprocessingError;
    const auto preprocessing = data::PreprocessingSettings::fromJson(
        json.value(QStringLiteral("preprocessing")).toObject(), &preprocessingError);
    if (!preprocessing)
        return fail(preprocessingError);
    model.preprocessing = *preprocessing;
    model.metadata = json.value(QStringLiteral("metadata")).toObject();
    // Older configurations have no "decision"; a string says there is no operating point.
    const QJsonValue decision = json.value(QStringLiteral("decision"));
    if (decision.isObject()) {
        QString decisionError;
        model.operatingPoint = train::OperatingPoint::fromJson(decision.toObject(), &decisionError);
        if (!model.operatingPoint)
            return fail(QStringLiteral("its \"decision\": ") + decisionError);
        if (model.operatingPoint->positiveClass >= model.classNames.size())
            return fail(QStringLiteral("its \"decision\" names class %1 of %2")
                            .arg(model.operatingPoint->positiveClass)
                            .arg(model.classNames.size()));
    } else if (!decision.isUndefined() && !decision.isString() && !decision.isNull()) {
        return fail(QStringLiteral("its \"decision\" is neither an operating point nor a note"));
    }
    return model;
}

Normalisation normalisationOf(const data::PreprocessingSettings& settings) {
    if (settings.normalization == data::PreprocessingSettings::Normalization::ImageNet)
        return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
    return {{0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};
}

} // namespace tc::exporting
