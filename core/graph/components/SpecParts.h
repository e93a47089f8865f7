#pragma once

// The pieces the component descriptors are written with: parameter and port constructors,
// the activation choices Dense and Conv2D share, and the value look-ups of labels and cards.

#include "core/graph/ComponentRegistry.h"

namespace tc::graph::components {

ParameterSpec intParameter(const QString& name, const QString& label, int defaultValue, int minimum,
                           int maximum, const QString& description);
ParameterSpec doubleParameter(const QString& name, const QString& label, double defaultValue,
                              double minimum, double maximum, const QString& description);
ParameterSpec boolParameter(const QString& name, const QString& label, bool defaultValue,
                            const QString& description);
ParameterSpec choiceParameter(const QString& name, const QString& label,
                              const QString& defaultValue, const QStringList& choices,
                              const QString& description);
PortSpec port(const QString& name, PortKind kind, const QString& description);

/// The common ports: an image-like tensor [C, H, W], a feature vector [N], or any tensor.
PortSpec imageInput();
PortSpec imageOutput();
PortSpec anyInput();
/// "A tensor of the same shape as the input."
PortSpec sameShapeOutput();
PortSpec vectorInput();
PortSpec vectorOutput();

/// none, relu, leaky_relu, gelu, sigmoid, tanh, softmax: Dense's activations (Conv2D's without
/// softmax).
const QStringList& activationChoices();
/// "ReLU", "Leaky ReLU", …; empty for "none" and unknown values.
QString activationLabel(const QString& activation);

/// The palette groups of the built-in components, and their colours ("#rrggbb", the tiles of
/// resources/icons/components/*.svg).
QString inputOutputCategory();
QString inputOutputColour();
QString backboneCategory();
QString backboneColour();
QString layerCategory();
QString layerColour();
QString convolutionCategory();
QString convolutionColour();

/// A number as labels show it: up to 10 significant digits (0.5, 1e-05).
QString labelNumber(double value);
/// A number as cards show it: up to 6 significant digits.
QString cardNumber(double value);

/// `parameters[name]` as text, or "?" when it is absent (an invalid value; see
/// ComponentSpec::validParameters()).
QString cardText(const QVariantMap& parameters, const QString& name);
/// An activation for a card: "linear" for none, "ReLU", …, "?" when absent.
QString cardActivation(const QVariantMap& parameters, const QString& name);

/// "Dense 128 ReLU": the parts that are not empty, joined by spaces.
QString joinLabel(QStringList parts);

/// The "×" of sizes such as 3×3.
QString times();

/// The rank check of the components that need an image-like [C, H, W] input: false with
/// `*error` set ("Conv2D needs an image-like input [C, H, W], but it receives [2048]; …").
bool requireImage(const QString& type, const Shape& input, QString* error);
/// Sets `*error` (when given) and returns an empty (unknown) shape.
Shape failShape(QString* error, const QString& message);

} // namespace tc::graph::components
