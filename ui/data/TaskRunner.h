#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <QObject>
#include <vector>

class QThread;

namespace tc::ui {

class TaskRunner;

/// What a background task sees: a cancel flag to poll, and post() to hand results back to
/// the GUI thread.
class TaskContext {
public:
    /// True once the task was canceled or superseded by a newer one; the task should return.
    bool isCanceled() const;
    /// The flag itself, for core APIs that poll a `const std::atomic<bool>*`.
    const std::atomic<bool>& cancelFlag() const;
    /// Queues `function` to run on the runner's thread. It runs only if, by then, the task is
    /// still the runner's current one and not canceled: a stale result can never overwrite a
    /// newer one.
    void post(std::function<void()> function) const;

private:
    friend class TaskRunner;
    struct State;
    TaskContext(TaskRunner* runner, std::shared_ptr<State> state);

    TaskRunner* m_runner;
    std::shared_ptr<State> m_state;
};

/// Runs background work for a widget on a thread of its own, one task at a time: starting a
/// task cancels the previous one (its results are dropped, its thread winds down on its own).
///
/// Results come back through TaskContext::post() as functions queued to the runner's thread,
/// so widgets are only ever touched on the GUI thread and nothing blocks it. Destroying the
/// runner cancels every task and waits for their threads, so a task never outlives the
/// objects its posted functions refer to. Make the runner a member of the widget that owns
/// it (declared after what the tasks use), or its child.
class TaskRunner : public QObject {
    Q_OBJECT

public:
    using Work = std::function<void(const TaskContext& context)>;

    explicit TaskRunner(QObject* parent = nullptr);
    ~TaskRunner() override;

    /// Cancels the current task, if any, and starts `work` on a new thread.
    void start(Work work);
    /// Cancels the current task: nothing it posts runs any more.
    void cancel();
    /// True from start() until the current task has returned and everything it posted has
    /// run (false again after cancel()).
    bool isRunning() const { return m_running; }
    /// Blocks until every thread started so far has ended (shutdown, tests).
    void waitForThreads();

Q_SIGNALS:
    /// The current task has returned and everything it posted has run (not after cancel()).
    void finished();

private:
    friend class TaskContext;
    void deliver(const std::shared_ptr<TaskContext::State>& state, std::function<void()> function);
    void reapThreads();

    std::shared_ptr<TaskContext::State> m_current;
    std::vector<QThread*> m_threads;
    bool m_running = false;
};

} // namespace tc::ui
