#include "ui/data/SourcePage.h"

#include "ui/data/DataWizard.h"
#include "ui/data/DataWizardModel.h"

#include <QButtonGroup>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QStyle>
#include <QVBoxLayout>

namespace tc::ui {

namespace {

QLabel* hint(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setContentsMargins(2, 0, 0, 0);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    label->setPalette(palette);
    return label;
}

/// A small sample of the expected layout, in a code font.
QLabel* example(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label->setStyleSheet(QStringLiteral("QLabel { background: #f7f7f5; border: 1px solid #dcdcd8; "
                                        "border-radius: 3px; padding: 6px 8px; color: #333; }"));
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    return label;
}

} // namespace

SourcePage::SourcePage(DataWizardModel& model, QWidget* parent)
    : QWizardPage(parent)
    , m_model(model) {
    setObjectName(QStringLiteral("sourcePage"));
    setTitle(tr("Data source"));
    setSubTitle(tr("Choose the images to train on: a CSV file that lists them with their "
                   "labels, or a folder with one sub-folder per class."));

    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("initialProblems"));
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("QLabel { background: #fff4e5; border: 1px solid "
                                             "#f0b35a; border-radius: 4px; padding: 6px; }"));
    m_problems->hide();

    m_csvButton = new QRadioButton(tr("A &CSV file listing images and labels"), this);
    m_csvButton->setObjectName(QStringLiteral("csvButton"));
    m_folderButton = new QRadioButton(tr("A &folder with one sub-folder per class"), this);
    m_folderButton->setObjectName(QStringLiteral("folderButton"));
    auto* kinds = new QButtonGroup(this);
    kinds->addButton(m_csvButton);
    kinds->addButton(m_folderButton);
    m_csvButton->setChecked(true);

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("sourcePath"));
    m_path->setPlaceholderText(tr("Path of the CSV file or the folder"));
    m_path->setClearButtonEnabled(true);
    m_browse = new QPushButton(tr("&Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browseButton"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("sourceStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);

    m_recentList = new QListWidget(this);
    m_recentList->setObjectName(QStringLiteral("recentSources"));
    m_recentList->setAlternatingRowColors(true);
    m_recentList->setUniformItemSizes(true);
    m_recentList->setMinimumHeight(120);
    m_clearRecent = new QPushButton(tr("Clear list"), this);
    m_clearRecent->setObjectName(QStringLiteral("clearRecentButton"));

    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);

    auto* recentHeader = new QHBoxLayout;
    auto* recentTitle = new QLabel(tr("<b>Recent sources</b> (double-click to use)"), this);
    recentHeader->addWidget(recentTitle, 1);
    recentHeader->addWidget(m_clearRecent);

    // The two kinds side by side, each with a sample of what it expects.
    auto* kindsGrid = new QGridLayout;
    kindsGrid->setHorizontalSpacing(18);
    kindsGrid->setVerticalSpacing(6);
    kindsGrid->addWidget(m_csvButton, 0, 0);
    kindsGrid->addWidget(m_folderButton, 0, 1);
    kindsGrid->addWidget(example(QStringLiteral("images,labels\n"
                                                "benign/SOB_B_A-14-22549AB-400-001.png,benign\n"
                                                "malignant/SOB_M_DC-14-2523-400-010.png,malignant\n"
                                                "…"),
                                 this),
                         1, 0);
    kindsGrid->addWidget(example(QStringLiteral("data/\n"
                                                "├── benign/\n"
                                                "│   └── SOB_B_A-14-22549AB-400-001.png …\n"
                                                "└── malignant/\n"
                                                "    └── SOB_M_DC-14-2523-400-010.png …"),
                                 this),
                         1, 1);
    kindsGrid->addWidget(hint(tr("A header row, then one row per image: a column of image paths "
                                 "(relative to the CSV file's folder, or absolute) and a column "
                                 "of labels. Other columns, such as a patient or a split, may "
                                 "follow."),
                              this),
                         2, 0);
    kindsGrid->addWidget(hint(tr("Each sub-folder is a class and holds its images, at any "
                                 "depth. PNG, JPEG, TIFF, BMP and WebP are read."),
                              this),
                         2, 1);
    kindsGrid->setColumnStretch(0, 1);
    kindsGrid->setColumnStretch(1, 1);

    auto* pathTitle = new QLabel(tr("<b>Source</b>"), this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_problems);
    layout->addLayout(kindsGrid);
    layout->addSpacing(12);
    layout->addWidget(pathTitle);
    layout->addLayout(pathRow);
    layout->addWidget(m_status);
    layout->addSpacing(10);
    layout->addLayout(recentHeader);
    layout->addWidget(m_recentList, 1);

    connect(m_browse, &QPushButton::clicked, this, &SourcePage::browse);
    connect(m_path, &QLineEdit::textChanged, this, &SourcePage::onPathEdited);
    connect(m_csvButton, &QRadioButton::toggled, this, &SourcePage::onPathEdited);
    connect(m_recentList, &QListWidget::itemActivated, this, &SourcePage::chooseRecent);
    connect(m_recentList, &QListWidget::itemDoubleClicked, this, &SourcePage::chooseRecent);
    connect(m_clearRecent, &QPushButton::clicked, this, [this]() {
        DataWizard::clearRecentSources();
        refreshRecent();
    });
}

void SourcePage::setInitialProblems(const QStringList& problems) {
    m_problems->setText(tr("Some of the project's data settings could not be read; defaults are "
                           "shown instead:\n") +
                        problems.join(QLatin1Char('\n')));
    m_problems->setVisible(!problems.isEmpty());
}

void SourcePage::initializePage() {
    refreshRecent();
    if (m_path->text().isEmpty() && !m_model.dataset.source.isEmpty())
        setSource(m_model.dataset.source);
    onPathEdited();
}

void SourcePage::setSource(const QString& path) {
    m_path->setText(QDir::toNativeSeparators(path));
    onPathEdited();
}

QString SourcePage::source() const {
    const QString text = m_path->text().trimmed();
    return text.isEmpty() ? QString() : m_model.absolutePath(QDir::fromNativeSeparators(text));
}

bool SourcePage::isFolderSource() const {
    return m_folderButton->isChecked();
}

bool SourcePage::isComplete() const {
    return m_complete;
}

void SourcePage::onPathEdited() {
    const QString path = source();
    const QFileInfo info(path);
    // The kind follows what the path turns out to be, so that pasting a folder just works.
    if (info.isDir() && !m_folderButton->isChecked()) {
        const QSignalBlocker blocker(m_folderButton);
        m_folderButton->setChecked(true);
    } else if (info.isFile() && !m_csvButton->isChecked()) {
        const QSignalBlocker blocker(m_csvButton);
        m_csvButton->setChecked(true);
    }

    QString status;
    bool ok = false;
    if (path.isEmpty()) {
        status = tr("Type a path, browse, or pick a recent source.");
    } else if (!info.exists()) {
        status = tr("'%1' does not exist.").arg(QDir::toNativeSeparators(path));
    } else if (info.isDir()) {
        const QStringList classes =
            QDir(path).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        ok = !classes.isEmpty();
        status = ok ? tr("Folder with %1 class sub-folders: %2")
                          .arg(classes.size())
                          .arg(classes.mid(0, 6).join(QStringLiteral(", ")) +
                               (classes.size() > 6 ? QStringLiteral(", …") : QString()))
                    : tr("'%1' has no sub-folders: put the images of each class in a "
                         "sub-folder named after the class.")
                          .arg(QDir::toNativeSeparators(path));
    } else if (!info.isReadable()) {
        status = tr("'%1' cannot be read (permissions).").arg(QDir::toNativeSeparators(path));
    } else {
        ok = true;
        status = tr("CSV file, %1, modified %2")
                     .arg(QLocale().formattedDataSize(info.size()),
                          QLocale().toString(info.lastModified(), QLocale::ShortFormat));
    }
    m_status->setText(status);
    m_status->setStyleSheet(ok || path.isEmpty() ? QString()
                                                 : QStringLiteral("QLabel { color: #b3261e; }"));
    if (ok && path != m_model.dataset.source) {
        // Another source: columns chosen for the previous one no longer apply.
        m_model.dataset.source = path;
        m_model.dataset.imageColumn.clear();
        m_model.dataset.labelColumn.clear();
        m_model.scan.reset();
    }
    if (ok != m_complete) {
        m_complete = ok;
        Q_EMIT completeChanged();
    }
}

void SourcePage::browse() {
    const QString start = source().isEmpty() ? m_model.projectDirectory : source();
    QString chosen;
    if (m_folderButton->isChecked())
        chosen = QFileDialog::getExistingDirectory(this, tr("Folder with one sub-folder per class"),
                                                   start);
    else
        chosen = QFileDialog::getOpenFileName(this, tr("Data set CSV file"), start,
                                              tr("CSV files (*.csv *.txt);;All files (*)"));
    if (!chosen.isEmpty())
        setSource(chosen);
}

void SourcePage::refreshRecent() {
    m_recentList->clear();
    const QStringList recent = DataWizard::recentSources();
    for (const QString& path : recent) {
        const QFileInfo info(path);
        auto* item = new QListWidgetItem(QDir::toNativeSeparators(path), m_recentList);
        item->setData(Qt::UserRole, path);
        item->setIcon(
            style()->standardIcon(info.isDir() ? QStyle::SP_DirIcon : QStyle::SP_FileIcon));
        if (!info.exists()) {
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            item->setToolTip(tr("No longer exists"));
        }
    }
    if (recent.isEmpty()) {
        auto* item = new QListWidgetItem(tr("No recent sources yet."), m_recentList);
        item->setFlags(Qt::NoItemFlags);
    }
    m_clearRecent->setEnabled(!recent.isEmpty());
}

void SourcePage::chooseRecent(QListWidgetItem* item) {
    const QString path = item ? item->data(Qt::UserRole).toString() : QString();
    if (!path.isEmpty() && (item->flags() & Qt::ItemIsEnabled))
        setSource(path);
}

} // namespace tc::ui
