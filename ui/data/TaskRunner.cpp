#include "ui/data/TaskRunner.h"

#include "core/util/Failure.h"
#include "ui/Application.h"

#include <QThread>
#include <QWidget>

namespace tc::ui {

struct TaskContext::State {
    std::atomic<bool> canceled{false};
};

TaskContext::TaskContext(TaskRunner* runner, std::shared_ptr<State> state)
    : m_runner(runner)
    , m_state(std::move(state)) {}

bool TaskContext::isCanceled() const {
    return m_state->canceled.load(std::memory_order_relaxed);
}

const std::atomic<bool>& TaskContext::cancelFlag() const {
    return m_state->canceled;
}

void TaskContext::post(std::function<void()> function) const {
    if (isCanceled())
        return;
    // The runner outlives this call: its destructor waits for the task's thread. The queued
    // call itself is dropped by Qt if the runner is destroyed before it is delivered.
    TaskRunner* runner = m_runner;
    std::shared_ptr<State> state = m_state;
    QMetaObject::invokeMethod(
        runner,
        [runner, state, function = std::move(function)]() mutable {
            runner->deliver(state, std::move(function));
        },
        Qt::QueuedConnection);
}

TaskRunner::TaskRunner(QObject* parent)
    : QObject(parent) {}

TaskRunner::~TaskRunner() {
    cancel();
    waitForThreads();
}

void TaskRunner::start(Work work) {
    cancel();
    reapThreads();
    auto state = std::make_shared<TaskContext::State>();
    m_current = state;
    m_running = true;
    QThread* thread = QThread::create([this, state, work = std::move(work)]() {
        const TaskContext context(this, state);
        try {
            work(context);
        } catch (...) {
            // An exception must not leave the thread (std::terminate): report it on the GUI
            // thread, then end the task as usual.
            const QString message = util::describeCurrentException();
            context.post([this, message]() {
                showInternalError(qobject_cast<QWidget*>(parent()), tr("working in the background"),
                                  message);
            });
        }
        // Queued after everything the work posted, so it marks the end of its results.
        context.post([this]() {
            m_running = false;
            Q_EMIT finished();
        });
    });
    m_threads.push_back(thread);
    // A finished thread is deleted the next time a task starts, or by the destructor: never
    // while someone may still wait() on it.
    thread->start();
}

void TaskRunner::cancel() {
    if (m_current)
        m_current->canceled = true;
    m_current.reset();
    m_running = false;
}

void TaskRunner::waitForThreads() {
    for (QThread* thread : m_threads) {
        thread->wait();
        delete thread;
    }
    m_threads.clear();
}

void TaskRunner::deliver(const std::shared_ptr<TaskContext::State>& state,
                         std::function<void()> function) {
    if (state != m_current || state->canceled)
        return;
    function();
}

void TaskRunner::reapThreads() {
    for (auto it = m_threads.begin(); it != m_threads.end();) {
        if ((*it)->isFinished()) {
            delete *it;
            it = m_threads.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace tc::ui
