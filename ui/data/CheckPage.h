#pragma once

#include "ui/data/DatasetScan.h"
#include "ui/data/TaskRunner.h"

#include <memory>
#include <QWizardPage>
#include <vector>

class QCheckBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;
class QVBoxLayout;

namespace tc::ui {

struct DataWizardModel;

/// Page 3 of the Data Wizard: scans the data set on a worker thread (every row's image is
/// checked; the window stays responsive and the scan can be canceled), then shows the class
/// counts as a bar chart, sample thumbnails of every class, every problem with its line and
/// reason, and the excluded rows as the CSV wrote them. Next is enabled once a scan finished
/// with a usable data set (at least two classes with images).
class CheckPage : public QWizardPage {
    Q_OBJECT

public:
    CheckPage(DataWizardModel& model, QWidget* parent = nullptr);
    ~CheckPage() override;

    /// Scans the current source and columns again (also after a cancel).
    void startScan();
    /// Cancels a running scan; the page then shows no result and Next stays disabled.
    void cancelScan();
    bool isScanning() const { return m_scanning; }

    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* rescanButton() const { return m_rescan; }
    QCheckBox* decodeBox() const { return m_decode; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* statusLabel() const { return m_status; }
    QCustomPlot* classChart() const { return m_chart; }
    QTableWidget* problemTable() const { return m_problems; }
    QTableWidget* excludedTable() const { return m_excluded; }
    QTabWidget* detailTabs() const { return m_tabs; }
    /// Thumbnails shown for a class (by class index), 0 when none.
    int thumbnailCount(int classIndex) const;

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;
    /// Next (also a programmatic QWizard::next()) only proceeds from a complete page.
    bool validatePage() override { return isComplete(); }

Q_SIGNALS:
    /// A scan finished and its result is shown (whether the data set is usable or not).
    void scanFinished();
    /// A scan was canceled by the user.
    void scanCanceled();

private:
    DatasetScanRequest currentRequest() const;
    void showProgress(ScanStage stage, int done, int total);
    void showResult(std::shared_ptr<const DatasetScanResult> result);
    void clearResult();
    void fillChart(const DatasetScanResult& result);
    void fillThumbnails(const DatasetScanResult& result);
    void fillProblems(const DatasetScanResult& result);
    void setScanningUi(bool scanning);

    DataWizardModel& m_model;
    QProgressBar* m_progress = nullptr;
    QLabel* m_progressText = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_rescan = nullptr;
    QCheckBox* m_decode = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_summary = nullptr;
    QCustomPlot* m_chart = nullptr;
    QWidget* m_thumbnailBox = nullptr;
    QVBoxLayout* m_thumbnailLayout = nullptr;
    std::vector<QListWidget*> m_thumbnailLists;
    QTabWidget* m_tabs = nullptr;
    QTableWidget* m_problems = nullptr;
    QTableWidget* m_excluded = nullptr;
    std::shared_ptr<const DatasetScanResult> m_shown;
    bool m_scanning = false;
    /// Last; destroyed first, so that no scan thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
