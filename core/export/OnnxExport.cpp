#include "core/export/OnnxExport.h"

#include "core/export/ChainModel.h"
#include "core/export/ExportMappings.h"
#include "core/export/OnnxWriter.h"
#include "core/util/BuildInfo.h"

#include <onnx/onnx_pb.h>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace tc::exporting {

namespace {

/// ONNX IR version 7 is the one opset 13 came with; older readers accept it.
constexpr std::int64_t kIrVersion = 7;

/// Translates the chain layer by layer, each through its component's mapping
/// (core/export/components/).
std::string translate(OnnxWriter& writer, const ChainModel& chain, const std::string& images) {
    const auto& layers = chain.layers();
    auto write = [&](const ChainLayer& layer, const std::vector<std::string>& inputs, bool last) {
        const ExportMapping* mapping = ExportMappings::instance().find(layer.type);
        if (!mapping || !mapping->onnx)
            throw OnnxExportError(QStringLiteral("component type '%1' cannot be exported to ONNX")
                                      .arg(layer.type)
                                      .toStdString());
        return mapping->onnx(writer, layer, inputs, last);
    };
    if (chain.isChain()) {
        std::string x = images;
        for (size_t i = 0; i < layers.size(); ++i)
            x = write(layers[i], {x}, i + 1 == layers.size());
        return x;
    }
    // A graph: each layer's output name, for the layers that read it (-1: the images).
    std::vector<std::string> values;
    for (size_t i = 0; i < layers.size(); ++i) {
        std::vector<std::string> inputs;
        for (int input : layers[i].inputs)
            inputs.push_back(input < 0 ? images : values[input]);
        // Only a merge reads several values; the others read their first.
        if (!layers[i].takesInputList)
            inputs.resize(1);
        values.push_back(write(layers[i], inputs, i + 1 == layers.size()));
    }
    return values.back();
}

void setFloatTensorType(onnx::ValueInfoProto* value, const std::string& name,
                        const std::vector<std::int64_t>& sampleShape) {
    value->set_name(name);
    onnx::TypeProto_Tensor* type = value->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = type->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    for (const std::int64_t size : sampleShape)
        shape->add_dim()->set_dim_value(size);
}

constexpr auto kChecksumKey = "torchcanvas_graph_sha256";

/// SHA-256 of the graph's serialisation (deterministic: GraphProto has no map fields).
QString graphChecksum(const onnx::GraphProto& graph) {
    std::string bytes;
    graph.SerializeToString(&bytes);
    return QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size())),
                                 QCryptographicHash::Sha256)
            .toHex());
}

QString jsonArray(const QJsonArray& array) {
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

void addMetadata(onnx::ModelProto& proto, const QString& key, const QString& value) {
    onnx::StringStringEntryProto* entry = proto.add_metadata_props();
    entry->set_key(key.toStdString());
    entry->set_value(value.toStdString());
}

/// "decision" (one sentence) and, with an operating point, "decision.threshold",
/// "decision.temperature", "decision.positiveClass", "decision.positiveClassIndex",
/// "decision.chosenBy" (the policy as JSON) and "decision.chosenOn".
void addDecisionMetadata(onnx::ModelProto& proto, const TrainedModel& model) {
    const auto& point = model.operatingPoint;
    if (!point) {
        addMetadata(proto, QStringLiteral("decision"), QLatin1String(kNoOperatingPoint));
        return;
    }
    const auto number = [](double value) {
        return QString::number(value, 'g', 17);
    };
    addMetadata(proto, QStringLiteral("decision"), point->describe());
    addMetadata(proto, QStringLiteral("decision.threshold"), number(point->threshold));
    addMetadata(proto, QStringLiteral("decision.temperature"), number(point->temperature));
    addMetadata(proto, QStringLiteral("decision.positiveClass"),
                model.classNames.value(point->positiveClass));
    addMetadata(proto, QStringLiteral("decision.positiveClassIndex"),
                QString::number(point->positiveClass));
    addMetadata(
        proto, QStringLiteral("decision.chosenBy"),
        QString::fromUtf8(QJsonDocument(point->policy.toJson()).toJson(QJsonDocument::Compact)));
    addMetadata(proto, QStringLiteral("decision.chosenOn"), point->chosenOn);
}

} // namespace

std::optional<QByteArray> onnxModelBytes(const TrainedModel& model, QString* error) {
    std::optional<ChainModel> chain = ChainModel::build(model, error);
    if (!chain)
        return std::nullopt;

    onnx::ModelProto proto;
    proto.set_ir_version(kIrVersion);
    proto.set_producer_name("TorchCanvas");
    proto.set_producer_version(buildInfo().torchCanvas.toStdString());
    proto.set_model_version(1);
    proto.set_doc_string(model.architectureSummary().toStdString());
    onnx::OperatorSetIdProto* opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOnnxOpset);

    onnx::GraphProto* graph = proto.mutable_graph();
    graph->set_name("torchcanvas");
    setFloatTensorType(graph->add_input(), "input", model.inputShape());
    OnnxWriter writer(model, graph);
    try {
        std::string logits = translate(writer, *chain, "input");
        // The probabilities the operating point's threshold applies to.
        if (model.temperature() != 1.0)
            logits = writer.node(
                "Div", {logits, writer.constant("temperature", {float(model.temperature())}, {1})},
                QStringLiteral("output"));
        writer.node("Softmax", {logits}, QStringLiteral("output"));
        writer.attribute("axis", std::int64_t(1));
        writer.renameLastOutput("probabilities");
    } catch (const std::exception& failure) {
        if (error)
            *error = QString::fromUtf8(failure.what());
        return std::nullopt;
    }
    setFloatTensorType(graph->add_output(), "probabilities",
                       {static_cast<std::int64_t>(model.classNames.size())});

    const Normalisation normalisation = normalisationOf(model.preprocessing);
    QJsonArray input;
    for (const std::int64_t size : model.inputShape())
        input.append(static_cast<double>(size));
    addMetadata(
        proto, QStringLiteral("torchcanvas"),
        QString::fromUtf8(QJsonDocument(model.configJson()).toJson(QJsonDocument::Compact)));
    addMetadata(proto, QStringLiteral("class_names"),
                jsonArray(QJsonArray::fromStringList(model.classNames)));
    addMetadata(proto, QStringLiteral("input_shape"), jsonArray(input));
    addMetadata(proto, QStringLiteral("mean"),
                jsonArray({normalisation.mean[0], normalisation.mean[1], normalisation.mean[2]}));
    addMetadata(proto, QStringLiteral("std"),
                jsonArray({normalisation.std[0], normalisation.std[1], normalisation.std[2]}));
    addMetadata(proto, QStringLiteral("torchcanvas_version"), buildInfo().torchCanvas);
    addDecisionMetadata(proto, model);
    // A byte flipped in a weight still parses: the checksum lets readers notice.
    addMetadata(proto, QLatin1String(kChecksumKey), graphChecksum(*graph));

    std::string bytes;
    if (!proto.SerializeToString(&bytes)) {
        if (error)
            *error = QStringLiteral("the ONNX model is too large to serialise");
        return std::nullopt;
    }
    return QByteArray::fromStdString(bytes);
}

bool writeOnnx(const TrainedModel& model, const QString& path, QString* error) {
    const std::optional<QByteArray> bytes = onnxModelBytes(model, error);
    if (!bytes)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<QMap<QString, QString>> readOnnxMetadata(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    onnx::ModelProto proto;
    if (bytes.isEmpty() || !proto.ParseFromArray(bytes.constData(), int(bytes.size())) ||
        !proto.has_graph()) {
        if (error)
            *error = QStringLiteral("%1: cannot be read as an ONNX model: damaged, truncated or "
                                    "not ONNX")
                         .arg(path);
        return std::nullopt;
    }
    QMap<QString, QString> metadata;
    for (const auto& entry : proto.metadata_props())
        metadata.insert(QString::fromStdString(entry.key()), QString::fromStdString(entry.value()));
    const QString checksum = metadata.value(QLatin1String(kChecksumKey));
    if (!checksum.isEmpty() && checksum != graphChecksum(proto.graph())) {
        if (error)
            *error = QStringLiteral("%1: the ONNX model is damaged (its graph does not match its "
                                    "checksum)")
                         .arg(path);
        return std::nullopt;
    }
    return metadata;
}

} // namespace tc::exporting
