#include "ui/data/DataWizard.h"

#include "core/data/DatasetTable.h"
#include "ui/data/CheckPage.h"
#include "ui/data/ColumnsPage.h"
#include "ui/data/DataWizardModel.h"
#include "ui/data/PreprocessingPage.h"
#include "ui/data/SourcePage.h"
#include "ui/data/SplitPage.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace tc::ui {

namespace {

const QString kRecentKey = QStringLiteral("dataWizard/recentSources");

} // namespace

DataWizard::DataWizard(const tc::data::DatasetSettings& dataset,
                       const tc::data::SplitSettings& split,
                       const tc::data::PreprocessingSettings& preprocessing,
                       const QString& projectDirectory, QWidget* parent)
    : QWizard(parent)
    , m_model(std::make_unique<DataWizardModel>()) {
    m_model->projectDirectory = projectDirectory;
    m_model->dataset = dataset;
    m_model->dataset.source = m_model->absolutePath(dataset.source);
    m_model->split = split;
    m_model->preprocessing = preprocessing;
    setUpPages();
}

DataWizard::DataWizard(const QJsonObject& dataset, const QJsonObject& split,
                       const QJsonObject& preprocessing, const QString& projectDirectory,
                       QWidget* parent)
    : QWizard(parent)
    , m_model(std::make_unique<DataWizardModel>()) {
    m_model->projectDirectory = projectDirectory;
    QString error;
    if (const auto parsed = tc::data::DatasetSettings::fromJson(dataset, &error)) {
        m_model->dataset = *parsed;
    } else {
        m_initialProblems << error;
        // The source alone is still worth keeping when something else was wrong.
        m_model->dataset.source = dataset.value(QStringLiteral("source")).toString();
    }
    m_model->dataset.source = m_model->absolutePath(m_model->dataset.source);
    if (const auto parsed = tc::data::SplitSettings::fromJson(split, &error))
        m_model->split = *parsed;
    else
        m_initialProblems << error;
    if (const auto parsed = tc::data::PreprocessingSettings::fromJson(preprocessing, &error))
        m_model->preprocessing = *parsed;
    else
        m_initialProblems << error;
    setUpPages();
}

DataWizard::~DataWizard() = default;

void DataWizard::setUpPages() {
    setObjectName(QStringLiteral("dataWizard"));
    setWindowTitle(tr("Data Wizard"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::HaveHelpButton, false);
    setButtonText(QWizard::FinishButton, tr("&Use this data"));
    resize(1060, 760);
    setMinimumSize(860, 620);

    m_sourcePage = new SourcePage(*m_model, this);
    m_columnsPage = new ColumnsPage(*m_model, this);
    m_checkPage = new CheckPage(*m_model, this);
    m_splitPage = new SplitPage(*m_model, this);
    m_preprocessingPage = new PreprocessingPage(*m_model, this);
    setPage(SourcePageId, m_sourcePage);
    setPage(ColumnsPageId, m_columnsPage);
    setPage(CheckPageId, m_checkPage);
    setPage(SplitPageId, m_splitPage);
    setPage(PreprocessingPageId, m_preprocessingPage);
    setStartId(SourcePageId);
    m_sourcePage->setInitialProblems(m_initialProblems);
}

tc::data::DatasetSettings DataWizard::datasetSettings() const {
    tc::data::DatasetSettings settings = m_model->dataset;
    if (m_model->sourceIsFolder()) {
        settings.imageColumn.clear();
        settings.labelColumn.clear();
    }
    if (!settings.groups.column.isEmpty() &&
        settings.groups.mode != tc::data::GroupSettings::Mode::Column)
        settings.groups.column.clear();
    if (!settings.groups.pattern.isEmpty() &&
        settings.groups.mode != tc::data::GroupSettings::Mode::Regex)
        settings.groups.pattern.clear();
    settings.classes = classNames();
    return settings;
}

tc::data::SplitSettings DataWizard::splitSettings() const {
    return m_model->split;
}

tc::data::PreprocessingSettings DataWizard::preprocessingSettings() const {
    return m_model->preprocessing;
}

QStringList DataWizard::classNames() const {
    const tc::data::DatasetTable* table = m_model->usableTable();
    return table ? table->classNames() : QStringList();
}

std::vector<int> DataWizard::classCounts() const {
    std::vector<int> counts;
    if (const tc::data::DatasetTable* table = m_model->usableTable())
        for (const auto& entry : table->summary().classes)
            counts.push_back(entry.second);
    return counts;
}

std::shared_ptr<const tc::data::DatasetTable> DataWizard::table() const {
    if (!m_model->usableTable())
        return nullptr;
    // Shares ownership with the scan result, which holds the table.
    return std::shared_ptr<const tc::data::DatasetTable>(m_model->scan, &m_model->scan->table);
}

void DataWizard::accept() {
    if (!m_model->dataset.source.isEmpty())
        addRecentSource(m_model->dataset.source);
    QWizard::accept();
}

void DataWizard::done(int result) {
    m_checkPage->cancelScan();
    QWizard::done(result);
}

QStringList DataWizard::recentSources() {
    return QSettings().value(kRecentKey).toStringList();
}

void DataWizard::addRecentSource(const QString& path) {
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QStringList recent = recentSources();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecentSources)
        recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
}

void DataWizard::clearRecentSources() {
    QSettings().remove(kRecentKey);
}

} // namespace tc::ui
