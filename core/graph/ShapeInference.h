#pragma once

#include <QList>
#include <QString>
#include <QVariantMap>

namespace tc::graph {

/// A tensor shape without the batch dimension: [C, H, W] for images and feature maps, [N] for
/// vectors. An empty list means "unknown" (an upstream problem, a missing link).
using Shape = QList<int>;

/// "[2048]", "[3, 224, 224]", or "?" for an unknown shape.
QString shapeToString(const Shape& shape);

/// What shape inference and validation know beyond the graph: facts from the project's data
/// set and preprocessing settings. Every field has an "unknown" value, and an unknown fact is
/// simply not checked, so a bare graph can be validated on its own.
struct ShapeContext {
    enum class Dataset {
        Unknown, ///< no data set configured, or not checked
        Missing, ///< configured, but the file is not there (yet): a warning
        Present,
    };

    /// Classes in the data set; -1 when unknown. Output checks its input against it.
    int classCount = -1;
    Dataset dataset = Dataset::Unknown;
    /// The data set's location, for the "missing" message.
    QString datasetPath;
    /// Image size after preprocessing; -1 when unknown. When known it overrides the Input
    /// node's parameters (the preprocessing decides what the model sees) and a difference
    /// is reported as a warning.
    int imageChannels = -1;
    int imageHeight = -1;
    int imageWidth = -1;
};

/// Spatial size of a torchvision ResNet's last feature map for an input side of `size`
/// pixels: five stride-2 stages, each ceil(size / 2) (224 → 7). Exposed for the model
/// builder's tests.
int resnetFeatureMapSize(int size);
/// Feature count of a ResNet variant ("18" → 512, "50" → 2048); -1 for an unknown variant.
int resnetFeatureCount(const QString& variant);
/// floor((size + 2·padding − kernel) / stride) + 1, the size rule of Conv2D and MaxPool2D;
/// 0 or less when the kernel does not fit.
int convolutionOutputSize(int size, int kernel, int stride, int padding);

/// The output shape of one component for a given input shape (ignored by Input, whose shape
/// comes from its parameters or the context). `parameters` must be valid (see
/// ParameterSpec::check). Returns an empty shape and sets `*error` to a user-facing sentence
/// when the input does not fit: wrong rank, a kernel larger than the image, a class count
/// that does not match the data set…
Shape inferOutputShape(const QString& type, const QVariantMap& parameters, const Shape& input,
                       const ShapeContext& context, QString* error);
/// The same for any number of inputs, in input-port order: merge components (Add,
/// Concatenate) take several, every other component one (or none, Input). Components with a
/// descriptor (ComponentSpec::shapeRule) are inferred by it.
Shape inferOutputShape(const QString& type, const QVariantMap& parameters,
                       const QList<Shape>& inputs, const ShapeContext& context, QString* error);

} // namespace tc::graph
