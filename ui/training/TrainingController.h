#pragma once

#include "core/train/TrainingControl.h"
#include "core/train/TrainingEvents.h"

#include <functional>
#include <memory>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

class QThread;

namespace tc::ui {

/// The work of one training run, executed on the training thread. It reports through the
/// observer and must check the control at every batch.
using TrainingJob =
    std::function<void(tc::train::TrainingObserver& observer, tc::train::TrainingControl& control)>;

/// Owns the training thread of the GUI. The trainer itself is plain C++; this controller runs
/// it on a QThread (a worker object moved there), turns its callbacks into queued signals
/// carrying value structs, and throttles batch updates so the GUI thread never floods.
/// Destroying the controller during a run stops the run and waits for it.
class TrainingController : public QObject {
    Q_OBJECT

public:
    enum class State { Idle, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;

    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle; }

    /// Starts `job` on a new training thread. Returns false (and does nothing) while a run is
    /// still active.
    bool start(TrainingJob job);
    void pause();
    void resume();
    void stop();
    /// Requests a stop and blocks until the training thread has ended. For shutdown.
    void stopAndWait();

    /// Minimum interval between two batch signals (the last batch of an epoch always passes).
    void setBatchInterval(int milliseconds) { m_batchIntervalMs = milliseconds; }

Q_SIGNALS:
    void stateChanged(tc::ui::TrainingController::State state);
    void runStarted(const tc::train::RunStartedEvent& event);
    void phaseChanged(const tc::train::PhaseEvent& event);
    void batchEnded(const tc::train::BatchEvent& event);
    void epochEnded(const tc::train::EpochEvent& event);
    void runFinished(const tc::train::FinishedEvent& event);
    void runFailed(const tc::train::ErrorEvent& event);

protected:
    /// Delivers the relay's events (posted from the training thread).
    bool event(QEvent* event) override;

private:
    class Relay;
    class RelayEvent;
    void setState(State state);
    void onThreadFinished();

    State m_state = State::Idle;
    int m_batchIntervalMs = 50;
    tc::train::TrainingControl m_control;
    QPointer<QThread> m_thread;
};

} // namespace tc::ui
