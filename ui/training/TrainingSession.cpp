#include "ui/training/TrainingSession.h"

#include "core/graph/Project.h"
#include "core/nn/WeightsAvailability.h"
#include "core/train/ProjectTraining.h"
#include "core/train/RunPredictor.h"
#include "core/train/TrainingSettings.h"
#include "core/util/Runtime.h"
#include "ui/editor/Document.h"
#include "ui/editor/IconLibrary.h"
#include "ui/evaluation/EvaluationResults.h"
#include "ui/evaluation/TestView.h"
#include "ui/MainWindow.h"
#include "ui/training/RunsPanel.h"
#include "ui/training/StatisticsView.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingSettingsPanel.h"

#include <mutex>
#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>

namespace tc::ui {

TrainingSession::TrainingSession(MainWindow* window)
    : QObject(window)
    , m_window(window) {
    m_controller = new TrainingController(this);
    m_statistics = new StatisticsView(window);
    window->addView(m_statistics, IconLibrary::actionIcon(QStringLiteral("view-statistics")),
                    tr("Statistics"));

    m_testView = new TestView(window);
    // Views share the central tab widget: keep their minimum small so the window can be too.
    m_statistics->setMinimumSize(360, 260);
    m_testView->setMinimumSize(360, 260);
    window->addView(m_testView, IconLibrary::actionIcon(QStringLiteral("view-test")), tr("Test"));

    m_settingsPanel = new TrainingSettingsPanel(window);
    m_settingsDock = new QDockWidget(tr("Training Settings"), window);
    m_settingsDock->setObjectName(QStringLiteral("trainingSettingsDock"));
    // The settings are a long form: scroll it rather than let its height set the window's
    // minimum (the window must fit a 1366x768 screen with every dock open).
    auto* settingsScroll = new QScrollArea(m_settingsDock);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    settingsScroll->setWidget(m_settingsPanel);
    // Only the height scrolls: the dock is at least as wide as the form and its scroll bar.
    settingsScroll->setMinimumWidth(m_settingsPanel->minimumSizeHint().width() +
                                    settingsScroll->verticalScrollBar()->sizeHint().width());
    m_settingsDock->setWidget(settingsScroll);
    window->addDockWidget(Qt::RightDockWidgetArea, m_settingsDock);
    window->tabifyDockWidget(window->inspectorDock(), m_settingsDock);
    window->inspectorDock()->raise();

    m_runsPanel = new RunsPanel(window);
    m_runsDock = new QDockWidget(tr("Runs"), window);
    m_runsDock->setObjectName(QStringLiteral("runsDock"));
    m_runsDock->setWidget(m_runsPanel);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_runsDock);
    window->tabifyDockWidget(window->problemsDock(), m_runsDock);
    window->problemsDock()->raise();
    connect(m_runsPanel, &RunsPanel::checkedRunsChanged, this,
            [this] { m_statistics->setComparedRuns(m_runsPanel->checkedRuns()); });
    connect(m_runsPanel, &RunsPanel::comparisonRequested, this,
            [this] { m_window->showView(m_statistics); });

    QMenu* menu = window->trainMenu();
    menu->clear();
    m_train = menu->addAction(IconLibrary::actionIcon(QStringLiteral("train-start")), tr("&Train"),
                              this, [this] { startTraining(); });
    m_train->setObjectName(QStringLiteral("actionTrain"));
    m_train->setShortcut(Qt::CTRL | Qt::Key_R);
    m_train->setToolTip(tr("Train the model on the project's data set (Ctrl+R)"));
    m_pause = menu->addAction(IconLibrary::actionIcon(QStringLiteral("train-pause")), tr("&Pause"),
                              m_controller, &TrainingController::pause);
    m_pause->setObjectName(QStringLiteral("actionPause"));
    m_resume = menu->addAction(IconLibrary::actionIcon(QStringLiteral("train-start")),
                               tr("&Resume"), m_controller, &TrainingController::resume);
    m_resume->setObjectName(QStringLiteral("actionResume"));
    m_stop = menu->addAction(IconLibrary::actionIcon(QStringLiteral("train-stop")), tr("&Stop"),
                             m_controller, &TrainingController::stop);
    m_stop->setObjectName(QStringLiteral("actionStop"));
    m_stop->setShortcut(Qt::CTRL | Qt::Key_Period);
    menu->addSeparator();
    menu->addAction(m_settingsDock->toggleViewAction());
    menu->addAction(m_runsDock->toggleViewAction());
    menu->addAction(tr("Show &Statistics"), this, [this] { m_window->showView(m_statistics); });
    window->mainToolBar()->addSeparator();
    window->mainToolBar()->addAction(m_train);
    window->mainToolBar()->addAction(m_pause);
    window->mainToolBar()->addAction(m_resume);
    window->mainToolBar()->addAction(m_stop);

    connect(m_controller, &TrainingController::stateChanged, this, &TrainingSession::updateActions);
    connect(m_controller, &TrainingController::runStarted, this, &TrainingSession::onStarted);
    connect(m_controller, &TrainingController::phaseChanged, m_statistics,
            &StatisticsView::onPhase);
    connect(m_controller, &TrainingController::batchEnded, m_statistics, &StatisticsView::onBatch);
    connect(m_controller, &TrainingController::epochEnded, m_statistics, &StatisticsView::onEpoch);
    connect(m_controller, &TrainingController::runFinished, m_statistics,
            &StatisticsView::onFinished);
    connect(m_controller, &TrainingController::runFinished, this, &TrainingSession::onFinished);
    connect(m_controller, &TrainingController::runFailed, this, &TrainingSession::onFailed);

    connect(m_settingsPanel, &TrainingSettingsPanel::settingsEdited, this,
            [this](const QJsonObject& section) {
                if (m_document)
                    m_document->setSection(ProjectSection::Training, section,
                                           tr("Change Training Settings"));
            });
    // A saved operating point becomes the project's decision policy, as an undoable edit.
    connect(m_testView, &TestView::operatingPointSaved, this,
            [this](const tc::train::OperatingPoint& point) {
                if (!m_document)
                    return;
                QJsonObject section = m_document->section(ProjectSection::Training);
                section.insert(QStringLiteral("decision"), point.policy.toJson());
                m_document->setSection(ProjectSection::Training, section,
                                       tr("Set Operating Point"));
            });
    connect(window, &MainWindow::documentChanged, this, &TrainingSession::attach);
    attach(window->document());
}

TrainingSession::~TrainingSession() {
    // The run must end before the views it reports to go away.
    m_controller->stopAndWait();
}

void TrainingSession::attach(Document* document) {
    if (m_document)
        disconnect(m_document, nullptr, this, nullptr);
    m_document = document;
    if (!document)
        return;
    m_settingsPanel->setSettings(document->section(ProjectSection::Training));
    connect(document, &Document::sectionChanged, this, [this](ProjectSection section) {
        if (section == ProjectSection::Training && m_document)
            m_settingsPanel->setSettings(m_document->section(ProjectSection::Training));
    });
    connect(document, &Document::validationChanged, this, &TrainingSession::updateActions);
    connect(document, &Document::filePathChanged, this, &TrainingSession::updateRunsSource);
    updateActions();
    updateRunsSource();
}

void TrainingSession::setRunsDirectory(const QString& directory) {
    m_runsDirectory = directory;
    updateRunsSource();
}

void TrainingSession::updateRunsSource() {
    // A saved project lists the runs named after it (several projects may share a folder);
    // an override or an unsaved project lists the whole runs folder.
    const QString projectFile = m_document ? m_document->filePath() : QString();
    m_runsPanel->setSource(m_runsDirectory.isEmpty() && !projectFile.isEmpty() ? projectFile
                                                                               : runsDirectory());
}

void TrainingSession::updateActions() {
    const auto state = m_controller->state();
    const bool idle = state == TrainingController::State::Idle;
    m_train->setEnabled(idle && m_document && m_document->validation().isValid());
    m_pause->setEnabled(state == TrainingController::State::Running);
    m_resume->setEnabled(state == TrainingController::State::Paused);
    m_stop->setEnabled(state == TrainingController::State::Running ||
                       state == TrainingController::State::Paused);
    m_pause->setVisible(state != TrainingController::State::Paused);
    m_resume->setVisible(state == TrainingController::State::Paused);
}

QString TrainingSession::runsDirectory(QString* note) const {
    if (note)
        note->clear();
    if (!m_runsDirectory.isEmpty())
        return m_runsDirectory;
    const QString perUser = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                                .filePath(QStringLiteral("runs"));
    const QString projectFile = m_document ? m_document->filePath() : QString();
    if (projectFile.isEmpty())
        return perUser;
    const QString beside = QFileInfo(projectFile).absoluteDir().filePath(QStringLiteral("runs"));
    if (!note) // where the runs are listed from: nothing is created
        return beside;
    // A project opened from a read-only place (an installed example, a shared drive):
    // runs go to the user's folder rather than failing.
    if (QDir().mkpath(beside) && QFileInfo(beside).isWritable())
        return beside;
    *note = tr("%1 is not writable").arg(QDir::toNativeSeparators(beside));
    return perUser;
}

bool TrainingSession::confirmRandomBackbone() {
    const QString backbone = nn::randomFrozenBackbone(m_document->graph(), nn::WeightStore());
    if (backbone.isEmpty() || m_document->randomBackboneConfirmed())
        return true;
    const QString question =
        tr("%1 is frozen and has no pretrained weights: its features are random, so only the "
           "head learns and the results will be poor (often one class for every image). "
           "Download or import the ImageNet weights from the Problems panel first, or set "
           "the backbone's Trainable to 'all'.\n\nTrain anyway?")
            .arg(backbone);
    const bool yes = m_randomBackbonePrompt
                         ? m_randomBackbonePrompt(question)
                         : QMessageBox::question(m_window, tr("Random backbone"), question,
                                                 QMessageBox::Yes | QMessageBox::No,
                                                 QMessageBox::No) == QMessageBox::Yes;
    if (yes)
        m_document->setRandomBackboneConfirmed();
    return yes;
}

bool TrainingSession::startTraining(QString* error) {
    auto refuse = [&](const QString& why) {
        m_window->statusBar()->showMessage(why, 10000);
        if (error)
            *error = why;
        return false;
    };
    if (!m_document)
        return refuse(tr("No project is open."));
    if (m_controller->isActive())
        return refuse(tr("A training run is already in progress."));
    if (!m_document->validation().isValid())
        return refuse(tr("The model has problems: fix those in the Problems panel first."));

    if (!confirmRandomBackbone())
        return refuse(tr("Training not started: the frozen backbone has no pretrained weights."));

    const QString base = m_document->filePath().isEmpty()
                             ? QStringLiteral("untitled")
                             : QFileInfo(m_document->filePath()).completeBaseName();
    const QString runDirectory =
        QDir(runsDirectory(&m_runFolderNote))
            .filePath(QStringLiteral("%1-%2").arg(
                base,
                QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
    if (!QDir().mkpath(runDirectory))
        return refuse(tr("Cannot create the run folder %1.").arg(runDirectory));
    // The run trains a snapshot: the project as shown now, with paths relative to the run.
    const QString snapshot = QDir(runDirectory).filePath(QStringLiteral("project.tcproj"));
    QSaveFile file(snapshot);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(m_document->project().toJson(snapshot)) < 0 || !file.commit())
        return refuse(tr("Cannot write %1: %2").arg(snapshot, file.errorString()));

    tc::train::TrainingRequest request;
    request.projectPath = snapshot;
    request.runDirectory = runDirectory;
    request.loaderWorkers = m_loaderWorkers;
    m_runDirectory = runDirectory;
    m_lastError.clear();
    const bool started = m_controller->start(
        [request](tc::train::TrainingObserver& observer, tc::train::TrainingControl& control) {
            tc::train::trainProject(request, observer, control);
        });
    if (!started)
        return refuse(tr("A training run is already in progress."));
    m_window->showView(m_statistics);
    if (m_runFolderNote.isEmpty())
        m_window->statusBar()->showMessage(tr("Training started: %1").arg(runDirectory), 5000);
    else
        m_window->statusBar()->showMessage(
            tr("Training started in %1 (%2)").arg(runDirectory, m_runFolderNote));
    return true;
}

void TrainingSession::onStarted(const tc::train::RunStartedEvent& event) {
    m_runsPanel->refresh();
    m_classNames = event.classNames;
    m_testView->setClassNames(event.classNames);
    m_statistics->beginRun(QFileInfo(m_runDirectory).fileName(), event.classNames);
    m_weightsOrigin = event.weightsStatus ? nn::weightsOrigin(*event.weightsStatus) : QString();
    m_randomWeights = event.weightsStatus && !event.weightsStatus->isPretrained();
    m_statistics->setRunInfo(m_weightsOrigin, m_randomWeights,
                             QDir::toNativeSeparators(m_runDirectory), m_runFolderNote);
    QString message = tr("Training %1 on %2 images").arg(event.model).arg(event.trainImages);
    if (!event.weights.isEmpty())
        message += QStringLiteral(" · ") + event.weights;
    m_window->statusBar()->showMessage(message, 15000);
}

void TrainingSession::onFinished(const tc::train::FinishedEvent& event) {
    m_runsPanel->refresh();
    if (event.reason == tc::train::FinishReason::Failed) {
        m_window->statusBar()->showMessage(tr("Training failed: %1").arg(event.message));
        return;
    }
    QString message = tr("Training %1 after %n epoch(s)", nullptr, event.epochsCompleted)
                          .arg(tc::train::toString(event.reason));
    if (event.test)
        message += tr(" · test accuracy %1 %").arg(event.test->metrics.accuracy * 100.0, 0, 'f', 1);
    if (!event.warnings.isEmpty())
        message += tr(" · WARNING: %1").arg(event.warnings.join(QStringLiteral("; ")));
    m_window->statusBar()->showMessage(message);
    if (event.testPredictions.empty())
        return;
    EvaluationResults results;
    results.classNames = m_classNames;
    results.description = tr("Test split of run %1 (weights of epoch %2)")
                              .arg(QFileInfo(m_runDirectory).fileName())
                              .arg(event.bestEpoch);
    auto toImage = [](const tc::train::SamplePrediction& prediction) {
        return EvaluatedImage{prediction.path, prediction.label, prediction.probabilities,
                              prediction.logits, prediction.group};
    };
    for (const auto& prediction : event.testPredictions)
        results.images.push_back(toImage(prediction));
    for (const auto& prediction : event.validationPredictions)
        results.validationImages.push_back(toImage(prediction));
    results.runDirectory = m_runDirectory;
    results.weightsOrigin = m_weightsOrigin;
    results.randomWeights = m_randomWeights;
    results.decision = event.decision;
    if (m_document) {
        const auto settings = tc::train::TrainingSettings::fromJson(
            m_document->section(ProjectSection::Training), nullptr);
        if (settings)
            m_testView->setDefaultDecisionPolicy(settings->decision);
    }
    // "Classify an image": the run's own model, opened on first use on the view's worker
    // thread (building a backbone takes a moment), then kept.
    struct LazyPredictor {
        QString runDirectory;
        std::mutex mutex;
        std::unique_ptr<tc::train::RunPredictor> predictor;
        QString error;
    };
    auto lazy = std::make_shared<LazyPredictor>();
    lazy->runDirectory = m_runDirectory;
    m_testView->setPredictor([lazy](const QString& path) {
        tc::runtime::configureCurrentThread();
        std::lock_guard lock(lazy->mutex);
        Prediction prediction;
        if (!lazy->predictor && lazy->error.isEmpty())
            lazy->predictor = tc::train::RunPredictor::open(lazy->runDirectory, &lazy->error);
        if (!lazy->predictor) {
            prediction.error = lazy->error;
            return prediction;
        }
        prediction.probabilities = lazy->predictor->predict(path, &prediction.error);
        prediction.notice = lazy->predictor->notice();
        return prediction;
    });
    if (!m_testView->setResults(results))
        m_window->statusBar()->showMessage(
            tr("The test results cannot be shown: %1").arg(m_testView->resultsError()));
}

void TrainingSession::onFailed(const tc::train::ErrorEvent& event) {
    m_lastError = event.message;
}

} // namespace tc::ui
