#pragma once

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

/// One input or output port of a component. Inputs accept exactly one link.
struct PortSpec {
    QString name;
    PortKind kind = PortKind::Any;
    QString description;
};

/// Everything the editor needs to know about one kind of node: the palette shows name, icon,
/// category and description; the inspector edits `parameters`; validation and file loading
/// check against it.
struct ComponentSpec {
    QString name;     ///< type name stored in nodes and project files, e.g. "ResNet"
    QString category; ///< palette group
    QString iconName; ///< e.g. "resnet", see iconPath()
    QString description;
    QList<PortSpec> inputs;
    QList<PortSpec> outputs;
    QList<ParameterSpec> parameters;

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
} // namespace component

} // namespace tc::graph
