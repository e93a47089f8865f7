#pragma once

#include "core/data/DataSettings.h"

#include <memory>
#include <QJsonObject>
#include <QStringList>
#include <QWizard>
#include <vector>

namespace tc::data {
class DatasetTable;
}

namespace tc::ui {

struct DataWizardModel;
class SourcePage;
class ColumnsPage;
class CheckPage;
class SplitPage;
class PreprocessingPage;

/// The Data Wizard: from a CSV file or a class-per-folder folder to the project's "dataset",
/// "split" and "preprocessing" sections, in five pages:
///
/// 1. Source: a CSV file or a folder, with the recent sources (QSettings);
/// 2. Columns: a preview of the first rows, the image and label columns (auto-detected);
/// 3. Check: a scan of every image on a worker thread (progress, cancel), class counts as a
///    bar chart, thumbnails per class, every problem with its line, the excluded rows;
/// 4. Split: train / validation / test percentages with live counts per class and part,
///    stratification, grouping by patient (BreaKHis names, a column or a regular
///    expression) with the groups found, a warning when BreaKHis names are not grouped; seed;
/// 5. Preprocessing: input size, resize, normalisation, augmentation, with augmented samples.
///
/// The wizard edits copies: the project is changed only by whoever reads the results after
/// accept() (the main window, through an undoable command). The results are available at
/// any time and describe what the pages show.
class DataWizard : public QWizard {
    Q_OBJECT

public:
    enum PageId { SourcePageId, ColumnsPageId, CheckPageId, SplitPageId, PreprocessingPageId };

    /// Starts from the current settings. A relative `dataset.source` is resolved against
    /// `projectDirectory` (the project file's folder; the working folder when empty).
    DataWizard(const tc::data::DatasetSettings& dataset, const tc::data::SplitSettings& split,
               const tc::data::PreprocessingSettings& preprocessing,
               const QString& projectDirectory, QWidget* parent = nullptr);
    /// Starts from a project's JSON sections (Project::dataset(), split(), preprocessing()).
    /// A section that cannot be read is replaced by defaults and the reason is shown on the
    /// first page (see initialProblems()).
    DataWizard(const QJsonObject& dataset, const QJsonObject& split,
               const QJsonObject& preprocessing, const QString& projectDirectory,
               QWidget* parent = nullptr);
    ~DataWizard() override;

    // ---- Results ------------------------------------------------------------------------
    /// "source" absolute; image and label columns named explicitly for a CSV (empty for a
    /// folder); the grouping; "classes": the class names found by the scan.
    tc::data::DatasetSettings datasetSettings() const;
    tc::data::SplitSettings splitSettings() const;
    tc::data::PreprocessingSettings preprocessingSettings() const;
    QJsonObject datasetJson() const { return datasetSettings().toJson(); }
    QJsonObject splitJson() const { return splitSettings().toJson(); }
    QJsonObject preprocessingJson() const { return preprocessingSettings().toJson(); }

    /// Class names in class-index order (the output units of the model), from the last
    /// completed scan; empty before it.
    QStringList classNames() const;
    /// Usable images per class, aligned with classNames().
    std::vector<int> classCounts() const;
    /// The scanned table (usable rows, diagnostics), or nullptr before a successful scan.
    std::shared_ptr<const tc::data::DatasetTable> table() const;

    /// Problems with the settings the wizard was started from (sections replaced by
    /// defaults); empty when they were all read.
    QStringList initialProblems() const { return m_initialProblems; }

    // ---- Pages (for the main window's tests and for screenshots) -------------------------
    SourcePage* sourcePage() const { return m_sourcePage; }
    ColumnsPage* columnsPage() const { return m_columnsPage; }
    CheckPage* checkPage() const { return m_checkPage; }
    SplitPage* splitPage() const { return m_splitPage; }
    PreprocessingPage* preprocessingPage() const { return m_preprocessingPage; }

    // ---- Recent sources (QSettings "dataWizard/recentSources") ---------------------------
    static constexpr int kMaxRecentSources = 8;
    /// Most recent first; entries that no longer exist are kept (they are shown greyed).
    static QStringList recentSources();
    /// Moves `path` to the front of the list (absolute, de-duplicated, at most
    /// kMaxRecentSources).
    static void addRecentSource(const QString& path);
    static void clearRecentSources();

public Q_SLOTS:
    /// Finishes: records the source among the recent ones and closes with Accepted.
    void accept() override;
    /// Closes; a scan still running is canceled first (it would only keep a core busy).
    void done(int result) override;

private:
    void setUpPages();

    std::unique_ptr<DataWizardModel> m_model;
    QStringList m_initialProblems;
    SourcePage* m_sourcePage = nullptr;
    ColumnsPage* m_columnsPage = nullptr;
    CheckPage* m_checkPage = nullptr;
    SplitPage* m_splitPage = nullptr;
    PreprocessingPage* m_preprocessingPage = nullptr;
};

} // namespace tc::ui
