#include "ui/data/SplitPage.h"

#include "core/data/DatasetTable.h"
#include "core/data/Split.h"
#include "ui/data/ClassPalette.h"
#include "ui/data/DataWizardModel.h"

#include <map>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

using tc::data::GroupSettings;
using tc::data::SplitPart;

constexpr SplitPart kParts[] = {SplitPart::Train, SplitPart::Validation, SplitPart::Test};

const QColor kPartColours[] = {QColor(0xe3, 0xf0, 0xfb), QColor(0xfd, 0xeb, 0xd9),
                               QColor(0xe6, 0xf4, 0xe3)};

QString partTitle(SplitPart part) {
    switch (part) {
    case SplitPart::Train:
        return QObject::tr("Training");
    case SplitPart::Validation:
        return QObject::tr("Validation");
    case SplitPart::Test:
        return QObject::tr("Test");
    }
    return {};
}

QTableWidgetItem* numberItem(const QString& text, Qt::Alignment alignment = Qt::AlignRight) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled);
    item->setTextAlignment(alignment | Qt::AlignVCenter);
    return item;
}

/// The group name as shown: rows without a group carry an internal prefix.
QString shownGroup(const QString& group) {
    return group.startsWith(QLatin1Char('\x01')) ? QObject::tr("(own group) %1").arg(group.mid(5))
                                                 : group;
}

} // namespace

SplitPage::SplitPage(DataWizardModel& model, QWidget* parent)
    : QWizardPage(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("splitPage"));
    setTitle(tr("Training, validation and test"));
    setSubTitle(tr("Training images fit the model, validation images pick the best epoch, test "
                   "images are kept aside for the final, honest measure."));

    auto percentBox = [this](const QString& name) {
        auto* box = new QSpinBox(this);
        box->setObjectName(name);
        box->setRange(0, 100);
        box->setSuffix(QStringLiteral(" %"));
        box->setAlignment(Qt::AlignRight);
        box->setMaximumWidth(110);
        return box;
    };
    m_train = percentBox(QStringLiteral("trainPercent"));
    m_train->setMinimum(1);
    m_validation = percentBox(QStringLiteral("validationPercent"));
    m_test = percentBox(QStringLiteral("testPercent"));
    m_test->setReadOnly(true);
    m_test->setButtonSymbols(QAbstractSpinBox::NoButtons);
    m_test->setToolTip(tr("The rest: 100 % minus training and validation"));
    m_stratify = new QCheckBox(tr("Keep the class proportions in every part (&stratify)"), this);
    m_stratify->setObjectName(QStringLiteral("stratifyBox"));
    m_seed = new QLineEdit(this);
    m_seed->setObjectName(QStringLiteral("seedEdit"));
    // Seeds are stored as JSON numbers: 15 digits stay below 2^53, exact in a double.
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,15}")), m_seed));
    m_seed->setMaximumWidth(110);
    m_seed->setToolTip(tr("The same seed, data and settings always give the same split"));
    m_newSeed = new QPushButton(tr("New seed"), this);
    m_newSeed->setObjectName(QStringLiteral("newSeedButton"));
    m_fromColumn = new QCheckBox(tr("Take the parts from a &column:"), this);
    m_fromColumn->setObjectName(QStringLiteral("fromColumnBox"));
    m_fromColumn->setToolTip(tr("Values train / validation / test (also training, valid, val, "
                                "dev, testing) name each row's part"));
    m_splitColumn = new QComboBox(this);
    m_splitColumn->setObjectName(QStringLiteral("splitColumn"));

    m_groupMode = new QComboBox(this);
    m_groupMode->setObjectName(QStringLiteral("groupMode"));
    m_groupMode->addItem(tr("Off: every image on its own"), int(GroupSettings::Mode::None));
    m_groupMode->addItem(tr("BreaKHis file names (patient = year + slide)"),
                         int(GroupSettings::Mode::BreakHis));
    m_groupMode->addItem(tr("A column of the CSV"), int(GroupSettings::Mode::Column));
    m_groupMode->addItem(tr("A regular expression on the file name"),
                         int(GroupSettings::Mode::Regex));
    m_groupColumn = new QComboBox(this);
    m_groupColumn->setObjectName(QStringLiteral("groupColumn"));
    m_groupPattern = new QLineEdit(this);
    m_groupPattern->setObjectName(QStringLiteral("groupPattern"));
    m_groupPattern->setPlaceholderText(tr("e.g. ^(patient\\d+)_  — the first capture group"));
    m_groupPattern->setToolTip(tr("Matched against the file name; the group is the capture "
                                  "group named 'group', else the first capture group, else "
                                  "the whole match."));
    m_groupSummary = new QLabel(this);
    m_groupSummary->setObjectName(QStringLiteral("groupSummary"));
    m_groupSummary->setWordWrap(true);

    m_leakWarning = new QFrame(this);
    m_leakWarning->setObjectName(QStringLiteral("leakWarning"));
    m_leakWarning->setStyleSheet(QStringLiteral("#leakWarning { background: #fff4e5; border: "
                                                "1px solid #f0b35a; border-radius: 4px; }"));
    m_leakText = new QLabel(m_leakWarning);
    m_leakText->setWordWrap(true);
    m_useBreakHis = new QPushButton(tr("Group by patient"), m_leakWarning);
    m_useBreakHis->setObjectName(QStringLiteral("useBreakHisButton"));
    auto* leakLayout = new QHBoxLayout(m_leakWarning);
    leakLayout->addWidget(m_leakText, 1);
    leakLayout->addWidget(m_useBreakHis, 0, Qt::AlignVCenter);

    m_counts = new QTableWidget(this);
    m_counts->setObjectName(QStringLiteral("countsTable"));
    m_counts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_counts->setSelectionMode(QAbstractItemView::NoSelection);
    m_counts->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_counts->verticalHeader()->setDefaultSectionSize(22);
    m_counts->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_counts->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_groups = new QTableWidget(this);
    m_groups->setObjectName(QStringLiteral("groupsTable"));
    m_groups->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_groups->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groups->verticalHeader()->hide();
    m_groups->verticalHeader()->setDefaultSectionSize(22);
    m_groups->horizontalHeader()->setStretchLastSection(true);
    m_messages = new QLabel(this);
    m_messages->setObjectName(QStringLiteral("splitMessages"));
    m_messages->setWordWrap(true);
    m_messages->setTextFormat(Qt::PlainText);

    // Left: the settings. Right: what they give.
    auto* parts = new QGroupBox(tr("Parts"), this);
    auto* partsForm = new QFormLayout(parts);
    partsForm->addRow(tr("&Training:"), m_train);
    partsForm->addRow(tr("&Validation:"), m_validation);
    partsForm->addRow(tr("Test (the rest):"), m_test);
    partsForm->addRow(m_stratify);
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seed);
    seedRow->addWidget(m_newSeed);
    seedRow->addStretch(1);
    auto* seedLabel = new QLabel(tr("S&eed:"), parts);
    seedLabel->setBuddy(m_seed);
    partsForm->addRow(seedLabel, seedRow);
    auto* columnRow = new QHBoxLayout;
    columnRow->addWidget(m_fromColumn);
    columnRow->addWidget(m_splitColumn, 1);
    partsForm->addRow(columnRow);

    auto* grouping = new QGroupBox(tr("Group images by patient"), this);
    auto* groupForm = new QFormLayout(grouping);
    groupForm->addRow(tr("&Groups:"), m_groupMode);
    m_groupColumnLabel = new QLabel(tr("C&olumn:"), grouping);
    m_groupColumnLabel->setBuddy(m_groupColumn);
    groupForm->addRow(m_groupColumnLabel, m_groupColumn);
    m_groupPatternLabel = new QLabel(tr("&Pattern:"), grouping);
    m_groupPatternLabel->setBuddy(m_groupPattern);
    groupForm->addRow(m_groupPatternLabel, m_groupPattern);
    groupForm->addRow(m_groupSummary);
    auto* groupHint = new QLabel(
        tr("Images of one patient share tissue, staining and scanner. Keeping each patient "
           "inside one part stops the model from being tested on patients it was trained on."),
        grouping);
    groupHint->setWordWrap(true);
    QPalette hintPalette = groupHint->palette();
    hintPalette.setColor(QPalette::WindowText, hintPalette.color(QPalette::PlaceholderText));
    groupHint->setPalette(hintPalette);
    groupForm->addRow(groupHint);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(parts);
    leftLayout->addWidget(grouping);
    leftLayout->addStretch(1);

    auto* countsTitle = new QLabel(tr("<b>Images per class and part</b>"), this);
    auto* groupsTitle = new QLabel(tr("<b>Groups found</b> and the part each one went to"), this);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(countsTitle);
    rightLayout->addWidget(m_counts);
    rightLayout->addWidget(m_messages);
    rightLayout->addWidget(groupsTitle);
    auto* groupsOff = new QLabel(tr("Grouping is off: every image is a group of its own.\n"
                                    "Choose how to find patients on the left to list them here."),
                                 this);
    groupsOff->setAlignment(Qt::AlignCenter);
    groupsOff->setStyleSheet(QStringLiteral("QLabel { color: #777; border: 1px dashed #c8c8c8; "
                                            "background: #fafafa; }"));
    m_groupsStack = new QStackedWidget(this);
    m_groupsStack->addWidget(m_groups);
    m_groupsStack->addWidget(groupsOff);
    rightLayout->addWidget(m_groupsStack, 3);

    auto* columns = new QSplitter(Qt::Horizontal, this);
    columns->addWidget(left);
    columns->addWidget(right);
    columns->setStretchFactor(0, 2);
    columns->setStretchFactor(1, 3);
    columns->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_leakWarning);
    layout->addWidget(columns, 1);

    connect(m_train, &QSpinBox::valueChanged, this, &SplitPage::onPercentChanged);
    connect(m_validation, &QSpinBox::valueChanged, this, &SplitPage::onPercentChanged);
    connect(m_stratify, &QCheckBox::toggled, this, &SplitPage::refresh);
    connect(m_seed, &QLineEdit::textChanged, this, &SplitPage::refresh);
    connect(m_newSeed, &QPushButton::clicked, this, [this]() {
        m_seed->setText(QString::number(QRandomGenerator::global()->bounded(1000000)));
    });
    connect(m_fromColumn, &QCheckBox::toggled, this, &SplitPage::refresh);
    connect(m_splitColumn, &QComboBox::currentIndexChanged, this, &SplitPage::refresh);
    connect(m_groupMode, &QComboBox::currentIndexChanged, this, &SplitPage::refresh);
    connect(m_groupColumn, &QComboBox::currentIndexChanged, this, &SplitPage::refresh);
    connect(m_groupPattern, &QLineEdit::textChanged, this, &SplitPage::refresh);
    connect(m_useBreakHis, &QPushButton::clicked, this, [this]() {
        m_groupMode->setCurrentIndex(m_groupMode->findData(int(GroupSettings::Mode::BreakHis)));
    });
}

void SplitPage::initializePage() {
    loadFromModel();
    refresh();
}

void SplitPage::loadFromModel() {
    m_loading = true;
    const tc::data::DatasetTable* table = m_model.usableTable();
    const bool csv = table && table->kind() == tc::data::DatasetTable::SourceKind::Csv;
    const QStringList columns = csv ? table->columns() : QStringList();
    m_breakHisShare = table ? tc::data::Grouping::breakHisShare(*table) : 0.0;

    const tc::data::SplitSettings& split = m_model.split;
    m_train->setValue(split.train);
    m_validation->setMaximum(100 - m_train->value());
    m_validation->setValue(split.validation);
    m_test->setValue(100 - m_train->value() - m_validation->value());
    m_stratify->setChecked(split.stratify);
    m_seed->setText(QString::number(split.seed));
    m_splitColumn->clear();
    m_splitColumn->addItems(columns);
    m_fromColumn->setEnabled(csv);
    m_fromColumn->setChecked(csv && !split.column.isEmpty() && columns.contains(split.column));
    if (m_fromColumn->isChecked())
        m_splitColumn->setCurrentText(split.column);

    const GroupSettings& groups = m_model.dataset.groups;
    m_groupColumn->clear();
    m_groupColumn->addItems(columns);
    // Column grouping needs columns; it is offered for a CSV only.
    const int columnIndex = m_groupMode->findData(int(GroupSettings::Mode::Column));
    if (auto* view = qobject_cast<QStandardItemModel*>(m_groupMode->model()))
        if (QStandardItem* item = view->item(columnIndex))
            item->setEnabled(csv);
    GroupSettings::Mode mode = split.grouped ? groups.mode : GroupSettings::Mode::None;
    if (mode == GroupSettings::Mode::Column && !csv)
        mode = GroupSettings::Mode::None;
    m_groupMode->setCurrentIndex(m_groupMode->findData(int(mode)));
    if (!groups.column.isEmpty())
        m_groupColumn->setCurrentText(groups.column);
    m_groupPattern->setText(groups.pattern);
    m_loading = false;
}

void SplitPage::onPercentChanged() {
    if (m_loading)
        return;
    {
        const QSignalBlocker blocker(m_validation);
        m_validation->setMaximum(100 - m_train->value());
    }
    m_test->setValue(100 - m_train->value() - m_validation->value());
    refresh();
}

void SplitPage::updateVisibility() {
    const auto mode = GroupSettings::Mode(m_groupMode->currentData().toInt());
    const bool fromColumn = m_fromColumn->isChecked();
    m_groupColumnLabel->setVisible(mode == GroupSettings::Mode::Column);
    m_groupColumn->setVisible(mode == GroupSettings::Mode::Column);
    m_groupPatternLabel->setVisible(mode == GroupSettings::Mode::Regex);
    m_groupPattern->setVisible(mode == GroupSettings::Mode::Regex);
    m_splitColumn->setEnabled(fromColumn);
    for (QWidget* widget : {static_cast<QWidget*>(m_train), static_cast<QWidget*>(m_validation),
                            static_cast<QWidget*>(m_stratify), static_cast<QWidget*>(m_seed),
                            static_cast<QWidget*>(m_newSeed)})
        widget->setEnabled(!fromColumn);
    const bool leak = !fromColumn && mode == GroupSettings::Mode::None &&
                      m_breakHisShare >= kBreakHisWarningShare;
    m_leakWarning->setVisible(leak);
    if (leak)
        m_leakText->setText(
            tr("<b>Images of one patient may end up in both training and test.</b> %1 % of "
               "the file names are BreaKHis names (SOB_…-<i>year</i>-<i>slide</i>-…), which "
               "name the patient. Without grouping, the model is tested on patients it has "
               "seen, and its test accuracy is overestimated.")
                .arg(QLocale().toString(m_breakHisShare * 100.0, 'f', 0)));
}

void SplitPage::refresh() {
    if (m_loading)
        return;
    updateVisibility();

    // Write the settings first: they are the page's result whatever the table says.
    tc::data::SplitSettings& split = m_model.split;
    split.train = m_train->value();
    split.validation = m_validation->value();
    split.test = 100 - split.train - split.validation;
    split.stratify = m_stratify->isChecked();
    bool seedOk = false;
    const quint64 seed = m_seed->text().toULongLong(&seedOk);
    if (seedOk)
        split.seed = seed;
    split.column = m_fromColumn->isChecked() ? m_splitColumn->currentText() : QString();
    GroupSettings& groups = m_model.dataset.groups;
    groups.mode = GroupSettings::Mode(m_groupMode->currentData().toInt());
    groups.column =
        groups.mode == GroupSettings::Mode::Column ? m_groupColumn->currentText() : QString();
    groups.pattern = groups.mode == GroupSettings::Mode::Regex ? m_groupPattern->text() : QString();
    split.grouped = groups.mode != GroupSettings::Mode::None;
    m_groupsStack->setCurrentIndex(split.grouped ? 0 : 1);

    m_splitOk = false;
    m_groupCount = 0;
    const tc::data::DatasetTable* table = m_model.usableTable();
    QStringList messages;
    if (!table) {
        m_counts->setRowCount(0);
        m_groups->setRowCount(0);
        m_messages->setText(tr("No usable data set: go back to the Check page."));
        Q_EMIT completeChanged();
        return;
    }

    tc::data::GroupAssignment assignment;
    bool groupsOk = true;
    if (split.grouped) {
        if (groups.mode == GroupSettings::Mode::Regex && groups.pattern.isEmpty()) {
            groupsOk = false;
            m_groupSummary->setText(tr("Type a regular expression."));
        } else {
            assignment = tc::data::Grouping::assign(*table, groups);
            groupsOk = assignment.ok();
            if (!groupsOk)
                m_groupSummary->setText(assignment.error);
        }
    } else {
        m_groupSummary->setText(tr("Grouping is off: images are assigned one by one."));
    }
    m_groupSummary->setStyleSheet(groupsOk ? QString()
                                           : QStringLiteral("QLabel { color: #b3261e; }"));

    if (!seedOk)
        messages << tr("The seed must be a whole number.");
    if (groupsOk) {
        const tc::data::Split result =
            tc::data::Split::make(*table, split, split.grouped ? &assignment : nullptr);
        if (result.ok()) {
            m_splitOk = seedOk;
            fillCounts(*table, result);
            messages << result.warnings();
        } else {
            m_counts->setRowCount(0);
            messages << result.error();
        }
        if (split.grouped) {
            m_groupCount = assignment.groupCount;
            QString summary = tr("%1 groups found.").arg(QLocale().toString(m_groupCount));
            if (!assignment.warnings.empty())
                summary += QLatin1Char(' ') +
                           tr("%1 images have no group; each is kept as a group of its own "
                              "(e.g. %2).")
                               .arg(assignment.warnings.size())
                               .arg(assignment.warnings.front().message);
            m_groupSummary->setText(summary);
            fillGroups(*table, assignment, result.ok() ? &result : nullptr);
        } else {
            m_groups->setRowCount(0);
        }
    } else {
        m_counts->setRowCount(0);
        m_groups->setRowCount(0);
    }
    m_messages->setText(messages.join(QLatin1Char('\n')));
    m_messages->setStyleSheet(m_splitOk ? QStringLiteral("QLabel { color: #9a6700; }")
                                        : QStringLiteral("QLabel { color: #b3261e; }"));
    Q_EMIT completeChanged();
}

void SplitPage::fillCounts(const tc::data::DatasetTable& table, const tc::data::Split& split) {
    const QStringList& classes = table.classNames();
    const int rows = int(classes.size()) + 2;
    m_counts->clear();
    m_counts->setColumnCount(4);
    m_counts->setHorizontalHeaderLabels({partTitle(SplitPart::Train),
                                         partTitle(SplitPart::Validation),
                                         partTitle(SplitPart::Test), tr("Total")});
    m_counts->setRowCount(rows);
    const int total = int(table.rows().size());
    for (int c = 0; c < classes.size(); ++c) {
        auto* header = new QTableWidgetItem(classes.at(c));
        header->setForeground(classColour(c).darker(130));
        m_counts->setVerticalHeaderItem(c, header);
        int classTotal = 0;
        for (int p = 0; p < 3; ++p) {
            const int count = split.count(kParts[p], c);
            classTotal += count;
            m_counts->setItem(c, p, numberItem(QLocale().toString(count)));
        }
        m_counts->setItem(c, 3, numberItem(QLocale().toString(classTotal)));
    }
    const int allRow = int(classes.size());
    m_counts->setVerticalHeaderItem(allRow, new QTableWidgetItem(tr("All images")));
    m_counts->setVerticalHeaderItem(allRow + 1, new QTableWidgetItem(tr("Share")));
    for (int p = 0; p < 3; ++p) {
        const int count = split.count(kParts[p]);
        auto* item = numberItem(QLocale().toString(count));
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
        m_counts->setItem(allRow, p, item);
        m_counts->setItem(allRow + 1, p,
                          numberItem(QStringLiteral("%1 %").arg(
                              QLocale().toString(total ? 100.0 * count / total : 0.0, 'f', 1))));
        for (int row = 0; row < rows; ++row)
            m_counts->item(row, p)->setBackground(kPartColours[p]);
    }
    auto* all = numberItem(QLocale().toString(total));
    QFont bold = all->font();
    bold.setBold(true);
    all->setFont(bold);
    m_counts->setItem(allRow, 3, all);
    m_counts->setItem(allRow + 1, 3, numberItem(QStringLiteral("100 %")));
    // Exactly as tall as its rows: the space below belongs to the groups.
    int height = m_counts->horizontalHeader()->sizeHint().height() + 2 * m_counts->frameWidth();
    for (int row = 0; row < rows; ++row)
        height += m_counts->rowHeight(row);
    m_counts->setFixedHeight(height);
}

int SplitPage::shownCount(SplitPart part, int classIndex) const {
    const int column = int(part);
    if (classIndex < 0 || classIndex + 2 >= m_counts->rowCount() ||
        !m_counts->item(classIndex, column))
        return -1;
    return QLocale().toInt(m_counts->item(classIndex, column)->text());
}

void SplitPage::fillGroups(const tc::data::DatasetTable& table,
                           const tc::data::GroupAssignment& groups, const tc::data::Split* split) {
    const QStringList& classes = table.classNames();
    struct GroupInfo {
        std::vector<int> perClass;
        int images = 0;
        int part = -1; ///< -1: none yet; 3: several (cannot happen in a grouped split)
    };
    std::map<QString, GroupInfo> infos;
    for (size_t row = 0; row < groups.groupOfRow.size(); ++row) {
        GroupInfo& info = infos[groups.groupOfRow[row]];
        if (info.perClass.empty())
            info.perClass.assign(size_t(classes.size()), 0);
        const int classIndex = table.rows()[row].classIndex;
        if (classIndex >= 0)
            ++info.perClass[size_t(classIndex)];
        ++info.images;
        if (split) {
            const int part = int(split->part(int(row)));
            info.part = info.part < 0 || info.part == part ? part : 3;
        }
    }
    QStringList header = {tr("Group"), tr("Images")};
    header += classes;
    header << tr("Part");
    m_groups->clear();
    m_groups->setColumnCount(int(header.size()));
    m_groups->setHorizontalHeaderLabels(header);
    const int shown = std::min<int>(int(infos.size()), kMaxGroupRows);
    m_groups->setRowCount(shown);
    int row = 0;
    for (const auto& [name, info] : infos) {
        if (row >= shown)
            break;
        auto* nameItem = new QTableWidgetItem(shownGroup(name));
        nameItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        m_groups->setItem(row, 0, nameItem);
        m_groups->setItem(row, 1, numberItem(QString::number(info.images)));
        for (int c = 0; c < classes.size(); ++c)
            m_groups->setItem(row, 2 + c,
                              numberItem(info.perClass[size_t(c)]
                                             ? QString::number(info.perClass[size_t(c)])
                                             : QString()));
        QString part = info.part >= 0 && info.part < 3 ? partTitle(kParts[info.part])
                       : info.part == 3                ? tr("several")
                                                       : QString();
        auto* partItem = numberItem(part, Qt::AlignLeft);
        if (info.part >= 0 && info.part < 3)
            partItem->setBackground(kPartColours[info.part]);
        m_groups->setItem(row, int(header.size()) - 1, partItem);
        ++row;
    }
    m_groups->resizeColumnsToContents();
}

bool SplitPage::isComplete() const {
    return m_splitOk;
}

} // namespace tc::ui
