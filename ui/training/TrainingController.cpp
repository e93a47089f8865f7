#include "ui/training/TrainingController.h"

#include "core/util/Failure.h"
#include "core/util/Runtime.h"
#include "core/util/ThreadAnnotations.h"

#include <exception>
#include <functional>
#include <QCoreApplication>
#include <QEvent>
#include <QThread>

namespace tc::ui {

namespace {

/// Runs the job on the training thread; deleted there once the thread has finished.
class TrainingWorker : public QObject {
    Q_OBJECT

public:
    TrainingWorker(TrainingJob job, tc::train::TrainingObserver& observer,
                   tc::train::TrainingControl& control)
        : m_job(std::move(job))
        , m_observer(observer)
        , m_control(control) {}

    void run() {
        // Thread counts are per thread in LibTorch: set them where the work happens.
        tc::runtime::configureCurrentThread();
        try {
            m_job(m_observer, m_control);
        } catch (...) {
            // std::bad_alloc, c10::Error, cv::Exception: a failed run, never a terminate.
            const QString message = tc::util::describeCurrentException();
            m_observer.onError({message});
            tc::train::FinishedEvent finished;
            finished.reason = tc::train::FinishReason::Failed;
            finished.message = message;
            m_observer.onFinished(finished);
        }
        // The relay (the observer) is destroyed on the controller's thread, after a hand-over
        // through Qt's event loop that TSan cannot see.
        tc::util::publish(&m_observer);
        Q_EMIT done();
    }

Q_SIGNALS:
    void done();

private:
    TrainingJob m_job;
    tc::train::TrainingObserver& m_observer;
    tc::train::TrainingControl& m_control;
};

} // namespace

/// One event of the training thread's, posted to the controller: a copy of the event and
/// the signal to emit with it. Created on the training thread, delivered and deleted on the
/// controller's.
class TrainingController::RelayEvent : public QEvent {
public:
    explicit RelayEvent(std::function<void(TrainingController*)> deliver)
        : QEvent(type())
        , m_deliver(std::move(deliver)) {}

    static QEvent::Type type() {
        static const auto registered = QEvent::Type(QEvent::registerEventType());
        return registered;
    }
    void deliver(TrainingController* controller) { m_deliver(controller); }

private:
    std::function<void(TrainingController*)> m_deliver;
};

/// Observer living on the training thread: copies each event and posts it to the
/// controller's thread; drops batch events that arrive sooner than the interval allows.
class TrainingController::Relay : public tc::train::TrainingObserver {
public:
    Relay(TrainingController* controller, int batchIntervalMs)
        : m_controller(controller)
        , m_intervalMs(batchIntervalMs) {
        m_sinceLastBatch.start();
    }
    ~Relay() override { tc::util::receive(static_cast<const tc::train::TrainingObserver*>(this)); }

    void onStarted(const tc::train::RunStartedEvent& event) override {
        post([event](TrainingController* c) { Q_EMIT c->runStarted(event); });
    }
    void onPhase(const tc::train::PhaseEvent& event) override {
        post([event](TrainingController* c) { Q_EMIT c->phaseChanged(event); });
    }
    void onBatch(const tc::train::BatchEvent& event) override {
        const bool lastOfEpoch = event.batch == event.batchesPerEpoch;
        if (!lastOfEpoch && m_sinceLastBatch.elapsed() < m_intervalMs && m_sentAny)
            return;
        m_sentAny = true;
        m_sinceLastBatch.restart();
        post([event](TrainingController* c) { Q_EMIT c->batchEnded(event); });
    }
    void onEpoch(const tc::train::EpochEvent& event) override {
        post([event](TrainingController* c) { Q_EMIT c->epochEnded(event); });
    }
    void onFinished(const tc::train::FinishedEvent& event) override {
        post([event](TrainingController* c) { Q_EMIT c->runFinished(event); });
    }
    void onError(const tc::train::ErrorEvent& event) override {
        post([event](TrainingController* c) { Q_EMIT c->runFailed(event); });
    }

private:
    template <typename Function> void post(Function function) {
        auto* event = new RelayEvent(std::move(function));
        // Qt's event queue orders this thread's writes before the delivery, but TSan cannot
        // see inside Qt: say so. Nothing here touches the event after posting it.
        tc::util::publish(event);
        QCoreApplication::postEvent(m_controller, event);
    }

    TrainingController* m_controller;
    int m_intervalMs;
    QElapsedTimer m_sinceLastBatch;
    bool m_sentAny = false;
};

TrainingController::TrainingController(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<tc::train::PhaseEvent>();
    qRegisterMetaType<tc::train::BatchEvent>();
    qRegisterMetaType<tc::train::EpochEvent>();
    qRegisterMetaType<tc::train::FinishedEvent>();
    qRegisterMetaType<tc::train::ErrorEvent>();
    qRegisterMetaType<tc::train::RunStartedEvent>();
}

bool TrainingController::event(QEvent* event) {
    // Before even its type is read: a relay event was written on the training thread.
    tc::util::receive(event);
    if (event->type() == RelayEvent::type()) {
        static_cast<RelayEvent*>(event)->deliver(this);
        return true;
    }
    return QObject::event(event);
}

TrainingController::~TrainingController() {
    stopAndWait();
}

bool TrainingController::start(TrainingJob job) {
    if (isActive())
        return false;
    m_control.reset();

    auto* thread = new QThread;
    thread->setObjectName(QStringLiteral("training"));
    auto relay = std::make_shared<Relay>(this, m_batchIntervalMs);
    auto* worker = new TrainingWorker(std::move(job), *relay, m_control);
    worker->moveToThread(thread);
    connect(thread, &QThread::started, worker, &TrainingWorker::run);
    // Direct: quit() is thread-safe, and the GUI thread may be blocked in stopAndWait().
    connect(worker, &TrainingWorker::done, thread, &QThread::quit, Qt::DirectConnection);
    connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    // The relay must outlive the worker; the last reference goes with this connection.
    connect(thread, &QThread::finished, thread, [relay] {});
    connect(thread, &QThread::finished, this, &TrainingController::onThreadFinished);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_thread = thread;
    setState(State::Running);
    thread->start();
    return true;
}

void TrainingController::pause() {
    if (m_state != State::Running)
        return;
    m_control.requestPause();
    setState(State::Paused);
}

void TrainingController::resume() {
    if (m_state != State::Paused)
        return;
    m_control.resume();
    setState(State::Running);
}

void TrainingController::stop() {
    if (m_state != State::Running && m_state != State::Paused)
        return;
    m_control.requestStop();
    setState(State::Stopping);
}

void TrainingController::stopAndWait() {
    if (!m_thread)
        return;
    m_control.requestStop();
    QThread* thread = m_thread;
    thread->requestInterruption();
    thread->wait();
    // The thread's finished() handlers are queued to us; run them now, since the caller may
    // be a destructor that never returns to the event loop.
    onThreadFinished();
    delete thread;
}

void TrainingController::onThreadFinished() {
    if (m_state == State::Idle)
        return;
    m_thread = nullptr;
    setState(State::Idle);
}

void TrainingController::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace tc::ui

#include "TrainingController.moc"
