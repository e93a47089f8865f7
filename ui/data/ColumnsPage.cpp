#include "ui/data/ColumnsPage.h"

#include "core/data/CsvReader.h"
#include "core/data/DatasetTable.h"
#include "core/util/RegularFile.h"
#include "ui/data/DataWizardModel.h"

#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

/// Bytes read for the preview: enough for hundreds of rows, bounded for a huge file.
constexpr qint64 kPreviewBytes = 512 * 1024;
/// Records used to detect the columns (as many as DatasetTable itself samples).
constexpr int kGuessRecords = 200;

const QColor kImageColumnColour(0xe3, 0xf0, 0xfb);
const QColor kLabelColumnColour(0xfd, 0xeb, 0xd9);

} // namespace

ColumnsPage::ColumnsPage(DataWizardModel& model, QWidget* parent)
    : QWizardPage(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("columnsPage"));
    setTitle(tr("Columns"));
    setSubTitle(tr("Check which column holds the image paths and which the labels. They were "
                   "detected from the header and the values; change them if needed."));

    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_imageColumn = new QComboBox(this);
    m_imageColumn->setObjectName(QStringLiteral("imageColumn"));
    m_imageColumn->setMinimumContentsLength(18);
    m_labelColumn = new QComboBox(this);
    m_labelColumn->setObjectName(QStringLiteral("labelColumn"));
    m_labelColumn->setMinimumContentsLength(18);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("columnsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);

    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("previewTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->setWordWrap(false);

    auto* imageLabel = new QLabel(tr("&Image paths:"), this);
    imageLabel->setBuddy(m_imageColumn);
    auto* labelLabel = new QLabel(tr("&Labels:"), this);
    labelLabel->setBuddy(m_labelColumn);
    auto* imageSwatch = new QLabel(this);
    imageSwatch->setFixedSize(14, 14);
    imageSwatch->setStyleSheet(
        QStringLiteral("background: %1; border: 1px solid #9ab;").arg(kImageColumnColour.name()));
    auto* labelSwatch = new QLabel(this);
    labelSwatch->setFixedSize(14, 14);
    labelSwatch->setStyleSheet(
        QStringLiteral("background: %1; border: 1px solid #cb9;").arg(kLabelColumnColour.name()));

    auto* choices = new QHBoxLayout;
    choices->addWidget(imageSwatch);
    choices->addWidget(imageLabel);
    choices->addWidget(m_imageColumn);
    choices->addSpacing(24);
    choices->addWidget(labelSwatch);
    choices->addWidget(labelLabel);
    choices->addWidget(m_labelColumn);
    choices->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(choices);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);

    connect(m_imageColumn, &QComboBox::currentIndexChanged, this, &ColumnsPage::onColumnChosen);
    connect(m_labelColumn, &QComboBox::currentIndexChanged, this, &ColumnsPage::onColumnChosen);
}

void ColumnsPage::initializePage() {
    const QString source = m_model.dataset.source;
    if (source == m_loadedSource && !m_header.isEmpty()) {
        onColumnChosen();
        return;
    }
    m_loadedSource = source;
    m_header.clear();
    m_sample.clear();
    m_loadError.clear();
    m_folder = m_model.sourceIsFolder();
    if (m_folder)
        loadFolderPreview(source);
    else
        loadCsvPreview(source);

    const QSignalBlocker imageBlocker(m_imageColumn);
    const QSignalBlocker labelBlocker(m_labelColumn);
    m_imageColumn->clear();
    m_labelColumn->clear();
    m_imageColumn->addItems(m_header);
    m_labelColumn->addItems(m_header);
    m_imageColumn->setEnabled(!m_folder && !m_header.isEmpty());
    m_labelColumn->setEnabled(!m_folder && !m_header.isEmpty());

    QString note;
    if (!m_folder && !m_header.isEmpty()) {
        // Columns the project named come first; when they are gone, detect again.
        auto guess = tc::data::DatasetTable::guessColumns(
            m_header, m_sample, m_model.dataset.imageColumn, m_model.dataset.labelColumn);
        if (!guess.problem.isEmpty() &&
            (!m_model.dataset.imageColumn.isEmpty() || !m_model.dataset.labelColumn.isEmpty())) {
            note = tr("The project named columns this file does not have (%1); detected again.")
                       .arg(guess.problem);
            guess = tc::data::DatasetTable::guessColumns(m_header, m_sample);
        }
        if (!guess.problem.isEmpty())
            note = tr("Could not detect both columns: %1. Choose them below.").arg(guess.problem);
        m_imageColumn->setCurrentIndex(guess.image);
        m_labelColumn->setCurrentIndex(guess.label);
    } else if (m_folder) {
        m_imageColumn->setCurrentIndex(0);
        m_labelColumn->setCurrentIndex(1);
    }
    m_intro->setText(m_folder ? tr("A folder's classes are its sub-folders: each image is "
                                   "labelled with the sub-folder it is in. The first images "
                                   "found:")
                              : tr("The first %1 rows of <b>%2</b>:")
                                    .arg(m_table->rowCount())
                                    .arg(QFileInfo(source).fileName().toHtmlEscaped()));
    m_status->setProperty("note", note);
    onColumnChosen();
}

void ColumnsPage::loadCsvPreview(const QString& path) {
    // Checked before open(): opening a FIFO would freeze the wizard until a writer comes.
    const QString notRegular = tc::util::regularFileProblem(path);
    QFile file(path);
    if (!notRegular.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        m_loadError = notRegular.isEmpty()
                          ? tr("'%1' cannot be read: %2").arg(path, file.errorString())
                          : QStringLiteral("'%1' %2").arg(path, notRegular);
        m_table->clear();
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        return;
    }
    const QByteArray bytes = file.read(kPreviewBytes);
    const bool partial = !file.atEnd();
    tc::data::CsvReader::Document document = tc::data::CsvReader::parse(bytes, kGuessRecords + 2);
    // A record cut by the read limit is not shown (it would look damaged).
    if (partial && !document.records.empty() && int(document.records.size()) < kGuessRecords + 2)
        document.records.pop_back();
    if (!document.notText.isEmpty())
        m_loadError = tr("'%1' is not a CSV file: %2").arg(path, document.notText);
    else if (document.records.empty())
        m_loadError = tr("'%1' is empty.").arg(path);
    else if (document.records.size() == 1)
        m_loadError = tr("'%1' has a header but no data rows.").arg(path);

    if (!document.records.empty())
        for (const QString& name : document.records.front().fields)
            m_header << name.trimmed();
    std::vector<const tc::data::CsvRecord*> shown;
    for (size_t i = 1; i < document.records.size(); ++i) {
        const tc::data::CsvRecord& record = document.records[i];
        if (!record.damaged && record.fields.size() == m_header.size())
            m_sample.push_back(record.fields);
        if (int(shown.size()) < kPreviewRows)
            shown.push_back(&record);
    }

    m_table->clear();
    m_table->setColumnCount(int(m_header.size()));
    m_table->setHorizontalHeaderLabels(m_header);
    m_table->setRowCount(int(shown.size()));
    for (int row = 0; row < int(shown.size()); ++row) {
        const tc::data::CsvRecord& record = *shown[size_t(row)];
        m_table->setVerticalHeaderItem(row, new QTableWidgetItem(tr("line %1").arg(record.line)));
        for (int column = 0; column < m_header.size(); ++column) {
            auto* item = new QTableWidgetItem(record.fields.value(column));
            item->setToolTip(record.fields.value(column));
            m_table->setItem(row, column, item);
        }
        const bool bad = record.damaged || record.fields.size() != m_header.size();
        if (bad) {
            const QString why = record.damaged ? record.problem
                                               : tr("%1 fields where the header has %2")
                                                     .arg(record.fields.size())
                                                     .arg(m_header.size());
            m_table->verticalHeaderItem(row)->setToolTip(why);
            m_table->verticalHeaderItem(row)->setForeground(QColor(0xb3, 0x26, 0x1e));
        }
    }
    m_table->resizeColumnsToContents();
    for (int column = 0; column < m_table->columnCount(); ++column)
        m_table->setColumnWidth(column, std::min(m_table->columnWidth(column), 420));
}

void ColumnsPage::loadFolderPreview(const QString& path) {
    m_header = {QStringLiteral("images"), QStringLiteral("labels")};
    const QDir root(path);
    const QStringList classes = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    // A few files of every class, interleaved, so that each class shows up in the preview.
    std::vector<QStringList> perClass;
    const int perClassLimit = std::max(2, kPreviewRows / std::max<int>(1, int(classes.size())));
    for (const QString& label : classes) {
        QStringList files;
        QDirIterator it(root.filePath(label), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext() && files.size() < perClassLimit * 4) {
            const QString file = root.relativeFilePath(it.next());
            if (tc::data::hasImageExtension(file))
                files << file;
        }
        files.sort();
        perClass.push_back(files.mid(0, perClassLimit));
    }
    for (int k = 0; int(m_sample.size()) < kPreviewRows; ++k) {
        bool any = false;
        for (size_t c = 0; c < perClass.size() && int(m_sample.size()) < kPreviewRows; ++c) {
            if (k < perClass[c].size()) {
                m_sample.push_back({perClass[c].at(k), classes.at(int(c))});
                any = true;
            }
        }
        if (!any)
            break;
    }
    m_table->clear();
    m_table->setColumnCount(2);
    m_table->setHorizontalHeaderLabels(
        {tr("images (file in the folder)"), tr("labels (its class sub-folder)")});
    m_table->setRowCount(int(m_sample.size()));
    for (int row = 0; row < int(m_sample.size()); ++row) {
        m_table->setVerticalHeaderItem(row, new QTableWidgetItem(QString::number(row + 1)));
        for (int column = 0; column < 2; ++column)
            m_table->setItem(row, column, new QTableWidgetItem(m_sample[size_t(row)].at(column)));
    }
    m_table->resizeColumnsToContents();
    if (m_sample.empty())
        m_loadError = tr("No images found in the sub-folders of '%1'.").arg(path);
}

QString ColumnsPage::imageColumn() const {
    return m_folder ? QString() : m_imageColumn->currentText();
}

QString ColumnsPage::labelColumn() const {
    return m_folder ? QString() : m_labelColumn->currentText();
}

bool ColumnsPage::setColumns(const QString& imageColumn, const QString& labelColumn) {
    const int image = int(m_header.indexOf(imageColumn));
    const int label = int(m_header.indexOf(labelColumn));
    if (m_folder || image < 0 || label < 0)
        return false;
    m_imageColumn->setCurrentIndex(image);
    m_labelColumn->setCurrentIndex(label);
    return true;
}

bool ColumnsPage::isComplete() const {
    if (!m_loadError.isEmpty() || m_header.isEmpty())
        return false;
    if (m_folder)
        return true;
    return m_imageColumn->currentIndex() >= 0 && m_labelColumn->currentIndex() >= 0 &&
           m_imageColumn->currentIndex() != m_labelColumn->currentIndex();
}

void ColumnsPage::onColumnChosen() {
    if (!m_folder) {
        m_model.dataset.imageColumn = m_imageColumn->currentText();
        m_model.dataset.labelColumn = m_labelColumn->currentText();
    } else {
        m_model.dataset.imageColumn.clear();
        m_model.dataset.labelColumn.clear();
    }
    highlightColumns();

    QString text;
    bool error = false;
    const QString note = m_status->property("note").toString();
    if (!m_loadError.isEmpty()) {
        text = m_loadError;
        error = true;
    } else if (!m_folder &&
               (m_imageColumn->currentIndex() < 0 || m_labelColumn->currentIndex() < 0)) {
        text = note.isEmpty() ? tr("Choose the image and the label column.") : note;
        error = true;
    } else if (!m_folder && m_imageColumn->currentIndex() == m_labelColumn->currentIndex()) {
        text = tr("The image paths and the labels must be two different columns.");
        error = true;
    } else {
        // What the chosen label column holds, so that a wrong choice shows at once.
        const int label = m_labelColumn->currentIndex();
        QStringList labels;
        for (const QStringList& record : m_sample) {
            const QString value = record.value(label).trimmed();
            if (!value.isEmpty() && !labels.contains(value))
                labels << value;
        }
        text = (note.isEmpty() ? QString() : note + QLatin1Char('\n')) +
               tr("Labels in the first rows: %1%2")
                   .arg(labels.mid(0, 8).join(QStringLiteral(", ")),
                        labels.size() > 8 ? tr(" and %1 more").arg(labels.size() - 8) : QString());
        if (labels.size() > 50)
            text += tr(" — that many distinct values look more like names or paths than "
                       "classes; check the label column.");
    }
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("QLabel { color: #b3261e; }") : QString());
    Q_EMIT completeChanged();
}

void ColumnsPage::highlightColumns() {
    const int image = m_imageColumn->currentIndex();
    const int label = m_labelColumn->currentIndex();
    for (int column = 0; column < m_table->columnCount(); ++column) {
        const QBrush brush = column == image   ? QBrush(kImageColumnColour)
                             : column == label ? QBrush(kLabelColumnColour)
                                               : QBrush();
        for (int row = 0; row < m_table->rowCount(); ++row)
            if (QTableWidgetItem* item = m_table->item(row, column))
                item->setBackground(brush);
        if (QTableWidgetItem* header = m_table->horizontalHeaderItem(column)) {
            QFont font = header->font();
            font.setBold(column == image || column == label);
            header->setFont(font);
        }
    }
}

} // namespace tc::ui
