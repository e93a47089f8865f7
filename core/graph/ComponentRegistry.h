#pragma once

#include "core/graph/Graph.h"
#include "core/graph/ShapeInference.h"

#include <functional>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

namespace tc::graph {

/// The value type of a component parameter; it decides the inspector's editor and how a value
/// read from a project file is checked.
enum class ParameterType {
    Int,    ///< whole number within [minimum, maximum]
    Double, ///< real number within [minimum, maximum]
    Bool,
    Choice, ///< one string out of `choices`
    String, ///< free text
};

/// Returns "int", "double", "bool", "choice" or "string".
QString parameterTypeName(ParameterType type);

/// One typed, documented parameter of a component.
struct ParameterSpec {
    QString name;  ///< key in the node's parameter map and in the project file (camelCase)
    QString label; ///< short human name for the inspector
    ParameterType type = ParameterType::Int;
    QVariant defaultValue;
    double minimum = 0; ///< Int and Double only
    double maximum = 0; ///< Int and Double only
    QStringList choices;
    QString description;

    /// Converts a value as it comes out of JSON or an editor (qlonglong, integral double,
    /// number for a choice…) to this parameter's canonical QVariant type: int, double, bool or
    /// QString. Returns an invalid QVariant when the value has the wrong type; range and choice
    /// membership are not checked here (see check()).
    QVariant coerce(const QVariant& value) const;

    /// Empty when `value` is acceptable, otherwise a message such as "units must be between 1
    /// and 65536, not 0" or "activation must be one of none, relu, …, not 'foo'".
    QString check(const QVariant& value) const;
};

/// What flows along a link: an image-like tensor [C, H, W], a vector [N], or either.
enum class PortKind { Image, Vector, Any };

/// One input or output port of a component. Inputs accept exactly one link. An output may
/// feed any number of inputs.
///
/// A variadic input (only the last input of a component may be one) stands for a growing row
/// of ports: port `i`, `i + 1`, … as links arrive, and a node always shows one free port after
/// its highest connected one (see Graph::inputPortCount()). Merge components (Add,
/// Concatenate) take their inputs this way, in port order.
struct PortSpec {
    QString name;
    PortKind kind = PortKind::Any;
    QString description;
    bool variadic = false;
    /// Variadic only: the fewest links the row needs before the model can be built.
    int minimumLinks = 0;
};

/// What a component's shape rule sees: its effective parameters, the shapes arriving at its
/// connected inputs in port order (each known), and the project's facts.
struct ShapeRuleInput {
    QVariantMap parameters;
    QList<Shape> inputs;
    ShapeContext context;
};

/// Output shape of one component, or an empty Shape with `*error` set to a sentence for the
/// user (it becomes a validation error on the node).
using ShapeRule = std::function<Shape(const ShapeRuleInput& input, QString* error)>;

/// A node's label from its valid parameters (see ComponentSpec::validParameters()): every
/// declared parameter, at its default when the node has none, absent when its value is invalid.
using ParameterSummary = std::function<QString(const QVariantMap& parameters)>;

/// The key parameters of a card ("128", "ReLU", "drop 0.5"), from its valid parameters as for
/// ParameterSummary; an absent value shows as "?". `classCount` is the data set's class
/// count, -1 when unknown.
using CardSummary = std::function<QStringList(const QVariantMap& parameters, int classCount)>;

/// What a component's own validation rule sees of one node, after shape inference.
struct NodeRuleInput {
    QVariantMap parameters;     ///< effective parameters (ComponentSpec::effectiveParameters())
    Shape output;               ///< the inferred output shape; empty when unknown
    QStringList successorTypes; ///< the type of the node at the end of each outgoing link
    ShapeContext context;
};

/// One finding of a component's validation rule, about its node.
struct NodeFinding {
    bool error = true; ///< false: a warning
    QString message;
};

/// Rules beyond the shape that a component checks on its node (Dense: softmax only on the
/// last layer). Run by validate() on every node whose parameters are valid.
using NodeRule = std::function<QList<NodeFinding>(const NodeRuleInput& input)>;

/// Everything the editor needs to know about one kind of node: the palette shows name, icon,
/// category and description; the inspector edits `parameters`; validation and file loading
/// check against it.
///
/// Every component is written as one descriptor file in core/graph/components/ (see
/// docs/DEVELOPMENT.md, "Adding a component"): it carries its shape rule, validation rule,
/// labels and palette colour here; its LibTorch module and its export mapping are registered
/// by type name from core/nn and core/export, so that this stays free of LibTorch.
struct ComponentSpec {
    QString name;     ///< type name stored in nodes and project files, e.g. "ResNet"
    QString category; ///< palette group
    QString iconName; ///< e.g. "resnet", see iconPath()
    QString description;
    QList<PortSpec> inputs;
    QList<PortSpec> outputs;
    QList<ParameterSpec> parameters;
    /// Output shape from the input shapes (required).
    ShapeRule shapeRule;
    /// Checks beyond the shape; unset: none.
    NodeRule nodeRule;
    /// "Dense 128 ReLU"-style label for describe(); unset: the type name.
    ParameterSummary label;
    /// The card's key parameters ("3 inputs" is the canvas's business); unset: none.
    CardSummary cardSummary;
    /// Palette and card colour, "#rrggbb": the colour of the component's category (the first
    /// component of a category that has one decides); empty: the category's colour.
    QString colour;

    /// True when the last input is variadic.
    bool hasVariadicInput() const { return !inputs.isEmpty() && inputs.last().variadic; }
    /// The spec of input port `port` (a variadic row repeats its last entry); nullptr when
    /// there is no such port.
    const PortSpec* inputPort(int port) const;
    /// "in", or "in 2" for the second port of a variadic row (counted from 1).
    QString inputPortName(int port) const;

    /// ":/icons/components/<iconName>.svg"
    QString iconPath() const;
    /// nullptr when the component has no parameter of that name.
    const ParameterSpec* parameter(const QString& name) const;
    /// Every parameter at its default value.
    QVariantMap defaultParameters() const;
    /// The values a model is built with: every declared parameter, taken from `values` when
    /// present and valid (coerced to its canonical type), otherwise its default. Unknown keys
    /// are dropped. Validation reports the invalid ones; this never fails.
    QVariantMap effectiveParameters(const QVariantMap& values) const;
    /// What labels and cards show: every declared parameter, coerced, at its default when
    /// `values` has none, and absent when its value is invalid (a label must never present a
    /// value the model would not be built with).
    QVariantMap validParameters(const QVariantMap& values) const;
};

/// The one table of component types. Immutable after construction, so it is safe to read from
/// any thread.
class ComponentRegistry {
public:
    static const ComponentRegistry& instance();

    /// Every component in palette order.
    const QList<ComponentSpec>& components() const { return m_components; }
    /// nullptr for an unknown type name (names are case-sensitive).
    const ComponentSpec* find(const QString& name) const;
    /// Palette categories in order of first appearance.
    QStringList categories() const;

    /// A short human label for a node, derived from its parameters: "ResNet50",
    /// "Dense 128 ReLU", "Dense 2 Softmax", "Dropout 0.5", "Conv2D 32 3×3". Falls back to the
    /// type name for unknown types or parameters.
    static QString describe(const QString& type, const QVariantMap& parameters);

private:
    ComponentRegistry();
    QList<ComponentSpec> m_components;
};

/// Component type names, to avoid string typos across modules. constexpr, so that they are
/// usable during static initialisation.
namespace component {
inline constexpr QLatin1String Input{"Input"};
inline constexpr QLatin1String ResNet{"ResNet"};
inline constexpr QLatin1String Dense{"Dense"};
inline constexpr QLatin1String Dropout{"Dropout"};
inline constexpr QLatin1String Flatten{"Flatten"};
inline constexpr QLatin1String Conv2D{"Conv2D"};
inline constexpr QLatin1String MaxPool2D{"MaxPool2D"};
inline constexpr QLatin1String GlobalAvgPool{"GlobalAvgPool"};
inline constexpr QLatin1String BatchNorm{"BatchNorm"};
inline constexpr QLatin1String Output{"Output"};
inline constexpr QLatin1String Add{"Add"};
inline constexpr QLatin1String Concatenate{"Concatenate"};
inline constexpr QLatin1String Gelu{"GELU"};
} // namespace component

} // namespace tc::graph
