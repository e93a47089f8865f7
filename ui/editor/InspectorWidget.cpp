#include "ui/editor/InspectorWidget.h"

#include "core/graph/ComponentRegistry.h"
#include "ui/editor/ComponentPresentation.h"
#include "ui/editor/Document.h"
#include "ui/editor/IconLibrary.h"

#include <cmath>
#include <limits>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

constexpr int kHeaderIconSize = 40;

QLabel* secondaryLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString escaped(const QString& text) {
    return text.toHtmlEscaped();
}

/// Doubles whose range reaches down to tiny values (epsilon: 1e-12 … 1) are typed, not
/// stepped: a spin box cannot show 1e-5 with a sensible number of decimals.
bool needsScientificEditor(const graph::ParameterSpec& spec) {
    return spec.minimum > 0 && spec.minimum < 1e-3;
}

} // namespace

InspectorWidget::InspectorWidget(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("inspector"));
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll);
    rebuild();
}

void InspectorWidget::setDocument(Document* document) {
    if (m_document) {
        m_document->disconnect(this);
        m_document->graph().disconnect(this);
    }
    m_document = document;
    m_node = graph::InvalidId;
    m_selectionCount = 0;
    if (document) {
        graph::Graph& graph = document->graph();
        connect(&graph, &graph::Graph::parameterChanged, this,
                [this](int node, const QString& name, const QVariant& value) {
                    if (node == m_node) {
                        setEditorValue(name, value);
                        updateDependentEditors();
                    }
                });
        connect(&graph, &graph::Graph::parametersReset, this, [this](int node) {
            if (node == m_node)
                rebuild();
        });
        connect(&graph, &graph::Graph::nodeRemoved, this, [this](int node) {
            if (node == m_node) {
                m_node = graph::InvalidId;
                m_selectionCount = 0;
                rebuild();
            }
        });
        connect(document, &Document::validationChanged, this, &InspectorWidget::updateStatus);
    }
    rebuild();
}

void InspectorWidget::setNodes(const QList<graph::NodeId>& nodes) {
    const graph::NodeId node = nodes.size() == 1 ? nodes.constFirst() : graph::InvalidId;
    if (node == m_node && nodes.size() == m_selectionCount)
        return;
    m_node = node;
    m_selectionCount = static_cast<int>(nodes.size());
    rebuild();
}

void InspectorWidget::showPlaceholder(const QString& title, const QString& text) {
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(18, 24, 18, 18);
    layout->addStretch(1);
    auto* heading = new QLabel(title, content);
    heading->setAlignment(Qt::AlignHCenter);
    QFont font = heading->font();
    font.setWeight(QFont::DemiBold);
    heading->setFont(font);
    auto* body = secondaryLabel(text, content);
    body->setAlignment(Qt::AlignHCenter);
    layout->addWidget(heading);
    layout->addWidget(body);
    layout->addStretch(2);
    m_scroll->setWidget(content);
    m_content = content;
}

void InspectorWidget::rebuild() {
    m_editors.clear();
    m_subtitle = nullptr;
    m_shapes = nullptr;
    m_problems = nullptr;
    m_content = nullptr;

    if (!m_document || m_node == graph::InvalidId || !m_document->graph().containsNode(m_node)) {
        if (m_selectionCount > 1)
            showPlaceholder(tr("%1 components selected").arg(m_selectionCount),
                            tr("Select a single component to edit its parameters."));
        else
            showPlaceholder(tr("Nothing selected"),
                            tr("Select a component on the canvas to see its shape and edit its "
                               "parameters."));
        return;
    }

    const graph::Node node = m_document->graph().node(m_node);
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(node.type);

    auto* content = new QWidget;
    content->setObjectName(QStringLiteral("inspectorContent"));
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(14, 14, 14, 14);
    layout->setSpacing(10);

    // Header: icon, name, category and id, description.
    auto* header = new QHBoxLayout;
    header->setSpacing(12);
    auto* icon = new QLabel(content);
    icon->setPixmap(IconLibrary::componentIcon(node.type).pixmap(
        QSize(kHeaderIconSize, kHeaderIconSize), devicePixelRatioF()));
    icon->setFixedSize(kHeaderIconSize, kHeaderIconSize);
    header->addWidget(icon, 0, Qt::AlignTop);
    auto* titles = new QVBoxLayout;
    titles->setSpacing(2);
    auto* title = new QLabel(node.type, content);
    title->setObjectName(QStringLiteral("inspectorTitle"));
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    titles->addWidget(title);
    m_subtitle = secondaryLabel(QString(), content);
    titles->addWidget(m_subtitle);
    header->addLayout(titles, 1);
    layout->addLayout(header);

    if (spec) {
        auto* description = secondaryLabel(spec->description, content);
        layout->addWidget(description);
    }

    m_shapes = new QLabel(content);
    m_shapes->setObjectName(QStringLiteral("inspectorShapes"));
    m_shapes->setTextFormat(Qt::RichText);
    m_shapes->setWordWrap(true);
    layout->addWidget(m_shapes);
    m_problems = new QLabel(content);
    m_problems->setObjectName(QStringLiteral("inspectorProblems"));
    m_problems->setTextFormat(Qt::RichText);
    m_problems->setWordWrap(true);
    layout->addWidget(m_problems);

    auto* line = new QFrame(content);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);

    if (!spec) {
        layout->addWidget(secondaryLabel(
            tr("“%1” is not a component this version of TorchCanvas knows. It is kept as "
               "it is in the file; remove it or replace it to build the model.")
                .arg(node.type),
            content));
    } else if (spec->parameters.isEmpty()) {
        layout->addWidget(secondaryLabel(tr("This component has no parameters."), content));
    } else {
        auto* heading = new QLabel(tr("Parameters"), content);
        QFont headingFont = heading->font();
        headingFont.setWeight(QFont::DemiBold);
        heading->setFont(headingFont);
        layout->addWidget(heading);
        for (const graph::ParameterSpec& parameter : spec->parameters) {
            auto* label = new QLabel(parameter.label, content);
            label->setToolTip(parameter.description);
            layout->addSpacing(2);
            layout->addWidget(label);
            QWidget* editor = createEditor(parameter, node.parameters.value(parameter.name));
            editor->setParent(content);
            editor->setToolTip(parameter.description);
            label->setBuddy(editor);
            layout->addWidget(editor);
            layout->addWidget(secondaryLabel(parameter.description, content));
        }
    }
    layout->addStretch(1);

    m_scroll->setWidget(content);
    m_content = content;
    updateStatus();
    updateDependentEditors();
}

QWidget* InspectorWidget::createEditor(const graph::ParameterSpec& spec, const QVariant& value) {
    const QString name = spec.name;
    QWidget* editor = nullptr;
    switch (spec.type) {
    case graph::ParameterType::Int: {
        auto* box = new QSpinBox;
        const double low = std::max<double>(spec.minimum, std::numeric_limits<int>::min());
        const double high = std::min<double>(spec.maximum, std::numeric_limits<int>::max());
        box->setRange(static_cast<int>(low), static_cast<int>(high));
        // Commit on Enter, focus loss or an arrow step, not on every typed digit.
        box->setKeyboardTracking(false);
        box->setAccelerated(true);
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this,
                [this, name](int v) { commit(name, v); });
        editor = box;
        break;
    }
    case graph::ParameterType::Double:
        if (needsScientificEditor(spec)) {
            auto* edit = new QLineEdit;
            auto* validator = new QDoubleValidator(spec.minimum, spec.maximum, 15, edit);
            validator->setNotation(QDoubleValidator::ScientificNotation);
            validator->setLocale(QLocale::c());
            edit->setValidator(validator);
            connect(edit, &QLineEdit::editingFinished, this, [this, name, edit] {
                bool ok = false;
                const double v = QLocale::c().toDouble(edit->text(), &ok);
                if (ok)
                    commit(name, v);
            });
            editor = edit;
        } else {
            auto* box = new QDoubleSpinBox;
            box->setRange(spec.minimum, spec.maximum);
            box->setDecimals(spec.maximum <= 1.0 ? 3 : 2);
            box->setSingleStep(spec.maximum <= 1.0 ? 0.05 : 0.1);
            box->setKeyboardTracking(false);
            connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
                    [this, name](double v) { commit(name, v); });
            editor = box;
        }
        break;
    case graph::ParameterType::Bool: {
        auto* box = new QCheckBox(tr("Enabled"));
        connect(box, &QCheckBox::toggled, this, [this, name](bool v) { commit(name, v); });
        editor = box;
        break;
    }
    case graph::ParameterType::Choice: {
        auto* box = new QComboBox;
        for (const QString& choice : spec.choices)
            box->addItem(ComponentPresentation::choiceLabel(name, choice), choice);
        connect(box, qOverload<int>(&QComboBox::activated), this, [this, name, box](int index) {
            if (index >= 0)
                commit(name, box->itemData(index).toString());
        });
        editor = box;
        break;
    }
    case graph::ParameterType::String: {
        auto* edit = new QLineEdit;
        connect(edit, &QLineEdit::editingFinished, this,
                [this, name, edit] { commit(name, edit->text()); });
        editor = edit;
        break;
    }
    }
    editor->setObjectName(QStringLiteral("parameter.") + name);
    m_editors.insert(name, editor);
    setEditorValue(name, value.isValid() ? value : spec.defaultValue);
    return editor;
}

void InspectorWidget::setEditorValue(const QString& parameter, const QVariant& value) {
    QWidget* editor = m_editors.value(parameter);
    if (!editor)
        return;
    const QSignalBlocker blocker(editor);
    if (auto* box = qobject_cast<QSpinBox*>(editor)) {
        box->setValue(value.toInt());
    } else if (auto* box = qobject_cast<QDoubleSpinBox*>(editor)) {
        box->setValue(value.toDouble());
    } else if (auto* box = qobject_cast<QCheckBox*>(editor)) {
        box->setChecked(value.toBool());
    } else if (auto* box = qobject_cast<QComboBox*>(editor)) {
        box->setCurrentIndex(box->findData(value.toString()));
    } else if (auto* edit = qobject_cast<QLineEdit*>(editor)) {
        if (value.typeId() == QMetaType::Double)
            edit->setText(QLocale::c().toString(value.toDouble(), 'g', 12));
        else
            edit->setText(value.toString());
    }
}

void InspectorWidget::updateDependentEditors() {
    // A few parameters only matter for one value of another; grey them out otherwise rather
    // than hiding them, so the layout does not jump.
    if (QWidget* stages = m_editors.value(QStringLiteral("trainableStages"))) {
        const QVariant trainable =
            m_document
                ? m_document->graph().node(m_node).parameters.value(QStringLiteral("trainable"))
                : QVariant();
        stages->setEnabled(trainable.toString() == QLatin1String("last_stages"));
    }
}

void InspectorWidget::updateStatus() {
    if (!m_document || !m_shapes || !m_document->graph().containsNode(m_node))
        return;
    const graph::Graph& graph = m_document->graph();
    const graph::Validation& validation = m_document->validation();
    const graph::Node node = graph.node(m_node);

    const QString category = [&] {
        const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(node.type);
        return spec ? spec->category : tr("Unknown");
    }();
    m_subtitle->setText(QStringLiteral("%1 \u00b7 #%2").arg(category).arg(m_node));

    QStringList inputs;
    for (graph::LinkId id : graph.inputLinksByPort(m_node)) // a merge's inputs in port order
        inputs << graph::shapeToString(validation.shape(graph.link(id).from.node));
    const graph::Shape output = validation.shape(m_node);
    const QString code = QStringLiteral("<span style=\"font-family: monospace\">%1</span>");
    QString shapes;
    const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(node.type);
    if (spec && !spec->inputs.isEmpty())
        shapes += tr("Input: %1")
                      .arg(inputs.isEmpty() ? tr("<i>not connected</i>")
                                            : code.arg(escaped(inputs.join(QStringLiteral(", ")))));
    if (!spec || !spec->outputs.isEmpty() || !output.isEmpty()) {
        if (!shapes.isEmpty())
            shapes += QStringLiteral("<br>");
        shapes += tr("Output: %1").arg(code.arg(escaped(graph::shapeToString(output))));
    }
    m_shapes->setText(shapes);

    const QList<graph::Problem> problems = validation.problemsFor(m_node);
    if (problems.isEmpty()) {
        m_problems->setVisible(false);
        return;
    }
    QString html;
    for (const graph::Problem& problem : problems) {
        const bool error = problem.severity == graph::Severity::Error;
        QString message = problem.message;
        if (!message.isEmpty())
            message[0] = message[0].toUpper();
        html +=
            QStringLiteral("<p style=\"margin:0 0 4px 0\"><span style=\"color:%1\">%2</span> "
                           "%3</p>")
                .arg(error ? QStringLiteral("#d6453d") : QStringLiteral("#c98a0b"),
                     error ? QStringLiteral("\u25cf") : QStringLiteral("\u25b2"), escaped(message));
    }
    m_problems->setText(html);
    m_problems->setVisible(true);
}

void InspectorWidget::commit(const QString& parameter, const QVariant& value) {
    if (!m_document || m_node == graph::InvalidId)
        return;
    m_document->setParameter(m_node, parameter, value);
}

} // namespace tc::ui
