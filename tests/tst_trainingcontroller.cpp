// The GUI's training thread: queued value-struct signals, throttling, pause/resume/stop, and
// shutting down mid-run.

#include "ui/training/TrainingController.h"

#include <atomic>
#include <QSignalSpy>
#include <QtTest>
#include <thread>

using tc::train::BatchEvent;
using tc::train::TrainingControl;
using tc::train::TrainingObserver;
using tc::ui::TrainingController;

namespace {

/// A stand-in for the trainer: `epochs` × `batches` steps, checking the control at every
/// batch like the real one. Finishes with Stopped when asked to stop.
struct FakeTrainer {
    int epochs = 3;
    int batches = 200;
    std::atomic<int>* started = nullptr;

    void operator()(TrainingObserver& observer, TrainingControl& control) const {
        observer.onPhase({tc::train::Phase::Training, 1, 0, 0, QString()});
        if (started)
            started->store(1);
        for (int epoch = 1; epoch <= epochs; ++epoch) {
            for (int batch = 1; batch <= batches; ++batch) {
                if (!control.checkpoint()) {
                    tc::train::FinishedEvent finished;
                    finished.reason = tc::train::FinishReason::Stopped;
                    finished.epochsCompleted = epoch - 1;
                    observer.onFinished(finished);
                    return;
                }
                BatchEvent event;
                event.epoch = epoch;
                event.epochs = epochs;
                event.batch = batch;
                event.batchesPerEpoch = batches;
                observer.onBatch(event);
            }
            tc::train::EpochEvent epochEvent;
            epochEvent.epoch = epoch;
            epochEvent.epochs = epochs;
            observer.onEpoch(epochEvent);
        }
        tc::train::FinishedEvent finished;
        finished.epochsCompleted = epochs;
        observer.onFinished(finished);
    }
};

/// Never ends by itself: only a stop ends it (bounded so a broken stop fails, not hangs).
struct EndlessTrainer {
    std::atomic<int>* batches = nullptr;
    void operator()(TrainingObserver& observer, TrainingControl& control) const {
        for (int i = 1; i <= 50'000'000; ++i) {
            if (!control.checkpoint()) {
                tc::train::FinishedEvent finished;
                finished.reason = tc::train::FinishReason::Stopped;
                observer.onFinished(finished);
                return;
            }
            batches->store(i);
            BatchEvent event;
            event.epoch = 1;
            event.epochs = 1;
            event.batch = i;
            event.batchesPerEpoch = 50'000'000;
            observer.onBatch(event);
        }
        throw std::runtime_error("EndlessTrainer was never stopped");
    }
};

} // namespace

class TestTrainingController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsToCompletionWithThrottledBatches();
    void refusesSecondStartWhileActive();
    void stopMidRun();
    void pauseResumeThenStop();
    void stopWhilePausedDoesNotHang();
    void destroyDuringRunStopsCleanly();
    void exceptionBecomesErrorAndFailedFinish();
    void controlCheckpointUnblocksOnResumeAndStop();
};

void TestTrainingController::runsToCompletionWithThrottledBatches() {
    TrainingController controller;
    controller.setBatchInterval(60'000); // only first and last-of-epoch batches pass
    QSignalSpy states(&controller, &TrainingController::stateChanged);
    QSignalSpy batches(&controller, &TrainingController::batchEnded);
    QSignalSpy epochs(&controller, &TrainingController::epochEnded);
    QSignalSpy finished(&controller, &TrainingController::runFinished);
    QVERIFY(controller.start(FakeTrainer{}));
    QCOMPARE(controller.state(), TrainingController::State::Running);
    QVERIFY(finished.wait(30'000));
    QTRY_COMPARE(controller.state(), TrainingController::State::Idle);

    QCOMPARE(epochs.count(), 3);
    // First batch of the run, then the last batch of each epoch.
    QCOMPARE(batches.count(), 4);
    QCOMPARE(batches.at(0).at(0).value<BatchEvent>().batch, 1);
    for (int i = 1; i < 4; ++i) {
        const auto event = batches.at(i).at(0).value<BatchEvent>();
        QCOMPARE(event.batch, 200);
        QCOMPARE(event.epoch, i);
    }
    QVERIFY(finished.at(0).at(0).value<tc::train::FinishedEvent>().reason ==
            tc::train::FinishReason::Completed);
    QCOMPARE(states.count(), 2); // Running, Idle
}

void TestTrainingController::refusesSecondStartWhileActive() {
    TrainingController controller;
    std::atomic<int> batches{0};
    QVERIFY(controller.start(EndlessTrainer{&batches}));
    QVERIFY(!controller.start(FakeTrainer{}));
    controller.stopAndWait();
    QCOMPARE(controller.state(), TrainingController::State::Idle);
}

void TestTrainingController::stopMidRun() {
    TrainingController controller;
    QSignalSpy finished(&controller, &TrainingController::runFinished);
    QSignalSpy states(&controller, &TrainingController::stateChanged);
    std::atomic<int> batches{0};
    QVERIFY(controller.start(EndlessTrainer{&batches}));
    QTRY_VERIFY(batches.load() > 0);
    controller.stop();
    QCOMPARE(controller.state(), TrainingController::State::Stopping);
    QVERIFY(finished.wait(30'000));
    QVERIFY(finished.at(0).at(0).value<tc::train::FinishedEvent>().reason ==
            tc::train::FinishReason::Stopped);
    QTRY_COMPARE(controller.state(), TrainingController::State::Idle);
    const QList<TrainingController::State> expected{TrainingController::State::Running,
                                                    TrainingController::State::Stopping,
                                                    TrainingController::State::Idle};
    QList<TrainingController::State> seen;
    for (const auto& arguments : states)
        seen << arguments.at(0).value<TrainingController::State>();
    QCOMPARE(seen, expected);
}

void TestTrainingController::pauseResumeThenStop() {
    TrainingController controller;
    QSignalSpy finished(&controller, &TrainingController::runFinished);
    std::atomic<int> batches{0};
    QVERIFY(controller.start(EndlessTrainer{&batches}));
    QTRY_VERIFY(batches.load() > 0);
    controller.pause();
    QCOMPARE(controller.state(), TrainingController::State::Paused);
    controller.resume();
    QCOMPARE(controller.state(), TrainingController::State::Running);
    const int before = batches.load();
    QTRY_VERIFY(batches.load() > before); // it really runs again
    controller.stop();
    QVERIFY(finished.wait(30'000));
}

void TestTrainingController::stopWhilePausedDoesNotHang() {
    TrainingController controller;
    QSignalSpy finished(&controller, &TrainingController::runFinished);
    std::atomic<int> batches{0};
    QVERIFY(controller.start(EndlessTrainer{&batches}));
    QTRY_VERIFY(batches.load() > 0);
    controller.pause();
    controller.stop();
    QVERIFY(finished.wait(30'000));
    QTRY_COMPARE(controller.state(), TrainingController::State::Idle);
}

void TestTrainingController::destroyDuringRunStopsCleanly() {
    std::atomic<int> batches{0};
    {
        auto controller = std::make_unique<TrainingController>();
        QVERIFY(controller->start(EndlessTrainer{&batches}));
        QTRY_VERIFY(batches.load() > 0);
    } // the destructor stops and joins; EndlessTrainer would throw after 50M batches
    const int atDestruction = batches.load();
    QCoreApplication::processEvents(); // queued events to the dead controller are dropped
    QCOMPARE(batches.load(), atDestruction);
}

void TestTrainingController::exceptionBecomesErrorAndFailedFinish() {
    TrainingController controller;
    QSignalSpy errors(&controller, &TrainingController::runFailed);
    QSignalSpy finished(&controller, &TrainingController::runFinished);
    QVERIFY(controller.start([](TrainingObserver&, TrainingControl&) {
        throw std::runtime_error("dataset.csv: no such file");
    }));
    QVERIFY(finished.wait(30'000));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).value<tc::train::ErrorEvent>().message,
             QStringLiteral("dataset.csv: no such file"));
    QVERIFY(finished.at(0).at(0).value<tc::train::FinishedEvent>().reason ==
            tc::train::FinishReason::Failed);
}

void TestTrainingController::controlCheckpointUnblocksOnResumeAndStop() {
    TrainingControl control;
    control.requestPause();
    std::atomic<int> result{-1};
    std::thread worker([&] { result = control.checkpoint() ? 1 : 0; });
    control.resume();
    worker.join();
    QCOMPARE(result.load(), 1);

    control.requestPause();
    result = -1;
    std::thread stopped([&] { result = control.checkpoint() ? 1 : 0; });
    control.requestStop();
    stopped.join();
    QCOMPARE(result.load(), 0);
    control.reset();
    QVERIFY(control.checkpoint());
}

QTEST_MAIN(TestTrainingController)
#include "tst_trainingcontroller.moc"
