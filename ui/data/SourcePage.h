#pragma once

#include <QWizardPage>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QRadioButton;

namespace tc::ui {

struct DataWizardModel;

/// Page 1 of the Data Wizard: where the data comes from, a CSV file (header row, a column of
/// image paths relative to the CSV's folder and a column of labels) or a folder with one
/// sub-folder of images per class, typed, browsed for, or picked from the recent sources.
class SourcePage : public QWizardPage {
    Q_OBJECT

public:
    SourcePage(DataWizardModel& model, QWidget* parent = nullptr);

    /// Sets the path as if typed; the kind (CSV or folder) follows what the path is.
    void setSource(const QString& path);
    QString source() const;
    bool isFolderSource() const;
    /// Shown above the source: settings of the project that could not be read.
    void setInitialProblems(const QStringList& problems);

    QListWidget* recentList() const { return m_recentList; }
    QLabel* statusLabel() const { return m_status; }

    void initializePage() override;
    bool isComplete() const override;
    /// Next (also a programmatic QWizard::next()) only proceeds from a complete page.
    bool validatePage() override { return isComplete(); }

private:
    void browse();
    void onPathEdited();
    void refreshRecent();
    void chooseRecent(QListWidgetItem* item);

    DataWizardModel& m_model;
    QLabel* m_problems = nullptr;
    QRadioButton* m_csvButton = nullptr;
    QRadioButton* m_folderButton = nullptr;
    QLineEdit* m_path = nullptr;
    QPushButton* m_browse = nullptr;
    QLabel* m_status = nullptr;
    QListWidget* m_recentList = nullptr;
    QPushButton* m_clearRecent = nullptr;
    bool m_complete = false;
};

} // namespace tc::ui
