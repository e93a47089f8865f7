#pragma once

#include <QStringList>
#include <QWizardPage>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;

namespace tc::ui {

struct DataWizardModel;

/// Page 2 of the Data Wizard: the first rows of the source in a table, and which column holds
/// the image paths and which the labels. Both are detected (DatasetTable::guessColumns: by
/// name, then by content) and can be changed. A folder has fixed columns: the file and its
/// class sub-folder.
class ColumnsPage : public QWizardPage {
    Q_OBJECT

public:
    /// Rows shown in the preview.
    static constexpr int kPreviewRows = 50;

    ColumnsPage(DataWizardModel& model, QWidget* parent = nullptr);

    QTableWidget* previewTable() const { return m_table; }
    QComboBox* imageColumnBox() const { return m_imageColumn; }
    QComboBox* labelColumnBox() const { return m_labelColumn; }
    /// The chosen column names; empty when none (or for a folder).
    QString imageColumn() const;
    QString labelColumn() const;
    /// Selects columns by name; false when there is no such column.
    bool setColumns(const QString& imageColumn, const QString& labelColumn);
    QLabel* statusLabel() const { return m_status; }

    void initializePage() override;
    bool isComplete() const override;
    /// Next (also a programmatic QWizard::next()) only proceeds from a complete page.
    bool validatePage() override { return isComplete(); }

private:
    void loadCsvPreview(const QString& path);
    void loadFolderPreview(const QString& path);
    void onColumnChosen();
    void highlightColumns();

    DataWizardModel& m_model;
    QLabel* m_intro = nullptr;
    QComboBox* m_imageColumn = nullptr;
    QComboBox* m_labelColumn = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_table = nullptr;
    QString m_loadedSource;
    QStringList m_header;
    std::vector<QStringList> m_sample;
    QString m_loadError;
    bool m_folder = false;
};

} // namespace tc::ui
