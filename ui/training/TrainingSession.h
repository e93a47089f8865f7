#pragma once

#include "core/train/TrainingEvents.h"

#include <functional>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QAction;
class QDockWidget;

namespace tc::ui {

class Document;
class MainWindow;
class RunsPanel;
class StatisticsView;
class TrainingController;
class TrainingSettingsPanel;
class TestView;

/// Training in the main window: the Train / Pause / Resume / Stop actions (Train menu and
/// toolbar), the training-settings dock, the Statistics view, the Runs dock (the project's
/// runs, whose ticked ones the Statistics plots overlay), and the controller that runs
/// the project on a background thread. Each run trains a snapshot of the project as it is
/// (saved or not) in its own run folder, so editing during a run cannot disturb it.
class TrainingSession : public QObject {
    Q_OBJECT

public:
    explicit TrainingSession(MainWindow* window);
    ~TrainingSession() override;

    TrainingController* controller() const { return m_controller; }
    StatisticsView* statistics() const { return m_statistics; }
    TrainingSettingsPanel* settingsPanel() const { return m_settingsPanel; }
    TestView* testView() const { return m_testView; }
    RunsPanel* runsPanel() const { return m_runsPanel; }
    QDockWidget* runsDock() const { return m_runsDock; }
    QAction* trainAction() const { return m_train; }
    QAction* pauseAction() const { return m_pause; }
    QAction* resumeAction() const { return m_resume; }
    QAction* stopAction() const { return m_stop; }

    /// Where run folders go; default: "runs" beside the project file, or the user's data
    /// folder for a project that was never saved or whose folder is not writable (the
    /// Statistics header and the status bar then say where the run went).
    void setRunsDirectory(const QString& directory);
    /// Asks whether to train although a frozen backbone has no pretrained weights (asked
    /// once per project); true trains. The default is a message box; tests answer it.
    using RandomBackbonePrompt = std::function<bool(const QString& question)>;
    void setRandomBackbonePrompt(RandomBackbonePrompt prompt) {
        m_randomBackbonePrompt = std::move(prompt);
    }
    /// Limits the image-decoding threads (tests); -1: one per core.
    void setLoaderWorkers(int workers) { m_loaderWorkers = workers; }
    QString currentRunDirectory() const { return m_runDirectory; }

    /// Starts training the current project. Returns false with the reason (also shown in the
    /// status bar) when the model is invalid or the snapshot cannot be written.
    bool startTraining(QString* error = nullptr);

private:
    void attach(Document* document);
    void updateActions();
    void onStarted(const tc::train::RunStartedEvent& event);
    void onFinished(const tc::train::FinishedEvent& event);
    void onFailed(const tc::train::ErrorEvent& event);
    /// The folder for a new run; `*note` says why it is not the project's own.
    QString runsDirectory(QString* note = nullptr) const;
    /// Points the Runs panel at the current project's runs.
    void updateRunsSource();
    bool confirmRandomBackbone();

    MainWindow* m_window;
    QPointer<Document> m_document;
    TrainingController* m_controller = nullptr;
    StatisticsView* m_statistics = nullptr;
    TestView* m_testView = nullptr;
    TrainingSettingsPanel* m_settingsPanel = nullptr;
    QDockWidget* m_settingsDock = nullptr;
    RunsPanel* m_runsPanel = nullptr;
    QDockWidget* m_runsDock = nullptr;
    QAction* m_train = nullptr;
    QAction* m_pause = nullptr;
    QAction* m_resume = nullptr;
    QAction* m_stop = nullptr;
    QString m_runsDirectory;
    QString m_runDirectory;
    QString m_lastError;
    QStringList m_classNames;
    QString m_runFolderNote;
    QString m_weightsOrigin;
    bool m_randomWeights = false;
    RandomBackbonePrompt m_randomBackbonePrompt;
    int m_loaderWorkers = -1;
};

} // namespace tc::ui
