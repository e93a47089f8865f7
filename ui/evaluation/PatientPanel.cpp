#include "ui/evaluation/PatientPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

QTableWidgetItem* cell(const QString& text, Qt::Alignment alignment = Qt::AlignLeft) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    item->setTextAlignment(alignment | Qt::AlignVCenter);
    return item;
}

/// A right-aligned number, its value kept in Qt::UserRole.
QTableWidgetItem* numberCell(double value, const QString& text) {
    QTableWidgetItem* item = cell(text, Qt::AlignRight);
    item->setData(Qt::UserRole, value);
    return item;
}

} // namespace

PatientPanel::PatientPanel(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("patientPanel"));
    m_ungrouped = new QLabel(this);
    m_ungrouped->setObjectName(QStringLiteral("patientsUngrouped"));
    m_ungrouped->setWordWrap(true);
    m_ungrouped->setAlignment(Qt::AlignCenter);

    auto* grouped = new QWidget(this);
    m_aggregation = new QComboBox(grouped);
    m_aggregation->setObjectName(QStringLiteral("patientAggregation"));
    m_aggregation->addItem(tr("Mean of the patient's images"));
    m_aggregation->addItem(tr("Max of the patient's images"));
    m_aggregation->setToolTip(tr("How a patient's image probabilities become the patient's "
                                 "probability; the same threshold then decides"));
    m_figuresText = new QLabel(grouped);
    m_figuresText->setObjectName(QStringLiteral("patientFigures"));
    m_figuresText->setWordWrap(true);
    m_missed = new QLabel(grouped);
    m_missed->setObjectName(QStringLiteral("patientsMissed"));
    m_missed->setWordWrap(true);
    m_table = new QTableWidget(0, ColumnCount, grouped);
    m_table->setObjectName(QStringLiteral("patientTable"));
    m_table->setHorizontalHeaderLabels({tr("Patient"), tr("Images"), tr("True"), tr("Probability"),
                                        tr("Decision"), tr("Missed positive images")});
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);

    auto* left = new QVBoxLayout;
    auto* aggregation = new QHBoxLayout;
    aggregation->addWidget(new QLabel(tr("Patient probability"), grouped));
    aggregation->addWidget(m_aggregation, 1);
    left->addLayout(aggregation);
    left->addWidget(m_figuresText);
    left->addWidget(m_missed);
    left->addStretch(1);
    auto* groupedLayout = new QHBoxLayout(grouped);
    groupedLayout->setContentsMargins(4, 4, 4, 4);
    groupedLayout->addLayout(left, 2);
    groupedLayout->addWidget(m_table, 3);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_ungrouped);
    m_stack->addWidget(grouped);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_aggregation, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            Q_EMIT aggregationChosen(index == 1 ? tc::train::PatientAggregation::Max
                                                : tc::train::PatientAggregation::Mean);
    });
    clear();
}

void PatientPanel::clear() {
    m_figures.reset();
    m_table->setRowCount(0);
    m_ungrouped->setText(tr("No evaluation yet."));
    m_stack->setCurrentIndex(0);
}

void PatientPanel::setPatients(const SplitScores& test, const std::vector<double>& scores,
                               double threshold, tc::train::PatientAggregation aggregation,
                               const QString& positiveName, const QString& negativeName) {
    if (!test.grouped() || scores.size() != test.labels.size()) {
        m_figures.reset();
        m_table->setRowCount(0);
        m_ungrouped->setText(
            tr("The test split is not grouped by patient: every image counts on its own. "
               "Give the data set a patient (group) column in the Data Wizard to see "
               "patient-level results here."));
        m_stack->setCurrentIndex(0);
        return;
    }
    m_figures = tc::train::patientFigures(test.groups, test.labels, scores, threshold, aggregation);
    m_stack->setCurrentIndex(1);
    {
        const QSignalBlocker blocker(m_aggregation);
        m_aggregation->setCurrentIndex(aggregation == tc::train::PatientAggregation::Max ? 1 : 0);
    }
    m_table->setHorizontalHeaderItem(
        MissedColumn, new QTableWidgetItem(tr("Missed %1 images").arg(positiveName)));
    const tc::train::BinaryFigures& f = m_figures->figures;
    m_figuresText->setText(
        tr("<b>%1 patients</b> (%2 %3, %4 %5) at threshold %6:<br>"
           "sensitivity %7<br>specificity %8<br>PPV %9<br>NPV %10")
            .arg(m_figures->patients.size())
            .arg(f.positives())
            .arg(positiveName.toHtmlEscaped())
            .arg(f.negatives())
            .arg(negativeName.toHtmlEscaped())
            .arg(QLocale().toString(threshold, 'f', 3))
            .arg(figureText(f.truePositives, f.positives()),
                 figureText(f.trueNegatives, f.negatives()),
                 figureText(f.truePositives, f.truePositives + f.falsePositives),
                 figureText(f.trueNegatives, f.trueNegatives + f.falseNegatives)));
    const std::int64_t missed = m_figures->patientsWithMissedPositiveImage;
    m_missed->setText(tr("<b>%1</b> of %2 %3 patients have at least one missed %3 image.")
                          .arg(missed)
                          .arg(f.positives())
                          .arg(positiveName.toHtmlEscaped()));
    m_missed->setStyleSheet(missed > 0 ? QStringLiteral("QLabel { color: #b00020; }") : QString());

    m_table->setSortingEnabled(false);
    m_table->setRowCount(int(m_figures->patients.size()));
    for (int row = 0; row < int(m_figures->patients.size()); ++row) {
        const tc::train::PatientScore& patient = m_figures->patients[size_t(row)];
        const bool positiveCall = patient.probability >= threshold;
        const bool right = positiveCall == (patient.label == 1);
        m_table->setItem(row, PatientColumn, cell(patient.group));
        m_table->setItem(row, ImagesColumn,
                         numberCell(double(patient.images), QString::number(patient.images)));
        m_table->setItem(row, TrueColumn, cell(patient.label == 1 ? positiveName : negativeName));
        m_table->setItem(
            row, ProbabilityColumn,
            numberCell(patient.probability, QLocale().toString(patient.probability, 'f', 3)));
        QTableWidgetItem* decision = cell(positiveCall ? positiveName : negativeName);
        decision->setForeground(right ? QColor(0x1b, 0x7a, 0x3a) : QColor(0xb0, 0x00, 0x20));
        decision->setToolTip(right ? tr("right") : tr("wrong"));
        m_table->setItem(row, DecisionColumn, decision);
        QTableWidgetItem* missedCell = numberCell(
            double(patient.missedPositiveImages),
            patient.positiveImages > 0
                ? tr("%1 of %2").arg(patient.missedPositiveImages).arg(patient.positiveImages)
                : QStringLiteral("–"));
        if (patient.missedPositiveImages > 0)
            missedCell->setForeground(QColor(0xb0, 0x00, 0x20));
        m_table->setItem(row, MissedColumn, missedCell);
    }
}

} // namespace tc::ui
