#include "app/cli/LocalLauncher.h"

#include "app/cli/Cli.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QTextStream>
#include <QThread>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace tc::cli {

namespace {

/// How often the launcher looks at its workers.
constexpr std::chrono::milliseconds kPollInterval{100};
/// After SIGTERM, how long a worker may take before SIGKILL.
constexpr std::chrono::seconds kTerminateGrace{5};

volatile std::sig_atomic_t g_forwardSignal = 0;

void rememberSignal(int signal) {
    g_forwardSignal = signal;
}

struct Worker {
    int rank = 0;
    pid_t pid = -1;
    bool running = false;
    int status = 0;
};

QString describeExit(const Worker& worker) {
    if (WIFSIGNALED(worker.status))
        return QStringLiteral("rank %1 (pid %2) was killed by signal %3 (%4)")
            .arg(worker.rank)
            .arg(worker.pid)
            .arg(WTERMSIG(worker.status))
            .arg(QString::fromLocal8Bit(strsignal(WTERMSIG(worker.status))));
    return QStringLiteral("rank %1 (pid %2) exited with status %3")
        .arg(worker.rank)
        .arg(worker.pid)
        .arg(WEXITSTATUS(worker.status));
}

bool failed(const Worker& worker) {
    return WIFSIGNALED(worker.status) || WEXITSTATUS(worker.status) != 0;
}

/// Reaps the workers that ended; true when any did.
bool reap(std::vector<Worker>& workers, std::vector<Worker*>* ended) {
    bool any = false;
    for (Worker& worker : workers) {
        if (!worker.running)
            continue;
        int status = 0;
        const pid_t done = waitpid(worker.pid, &status, WNOHANG);
        if (done == worker.pid) {
            worker.running = false;
            worker.status = status;
            ended->push_back(&worker);
            any = true;
        }
    }
    return any;
}

bool anyRunning(const std::vector<Worker>& workers) {
    for (const Worker& worker : workers) {
        if (worker.running)
            return true;
    }
    return false;
}

void signalAll(std::vector<Worker>& workers, int signal) {
    for (Worker& worker : workers) {
        if (worker.running)
            kill(worker.pid, signal);
    }
}

} // namespace

int freeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0; // the kernel picks a free one
    socklen_t length = sizeof(address);
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    close(fd);
    return port;
}

int launchLocalWorkers(const QStringList& workerArguments, int processes,
                       std::chrono::seconds grace) {
    const int port = freeLoopbackPort();
    if (port == 0)
        return fail(QStringLiteral("train"),
                    QStringLiteral("--nproc: no free TCP port on 127.0.0.1 for the rendezvous"));
    const QProcessEnvironment system = QProcessEnvironment::systemEnvironment();
    const int threads = std::max(1, QThread::idealThreadCount() / processes);
    const std::string program = QCoreApplication::applicationFilePath().toStdString();
    std::vector<std::string> arguments{program};
    for (const QString& argument : workerArguments)
        arguments.push_back(argument.toStdString());

    struct sigaction action {};
    action.sa_handler = &rememberSignal;
    sigemptyset(&action.sa_mask);
    struct sigaction previousInt {
    }, previousTerm{};
    sigaction(SIGINT, &action, &previousInt); // the workers get Ctrl-C from the terminal
    sigaction(SIGTERM, &action, &previousTerm);

    err() << "launching " << processes << " local ranks (rendezvous 127.0.0.1:" << port << ", "
          << threads << " thread(s) each)" << Qt::endl;
    std::vector<Worker> workers(static_cast<size_t>(processes));
    for (int rank = 0; rank < processes; ++rank) {
        QProcessEnvironment environment = system;
        environment.insert(QStringLiteral("RANK"), QString::number(rank));
        environment.insert(QStringLiteral("LOCAL_RANK"), QString::number(rank));
        environment.insert(QStringLiteral("WORLD_SIZE"), QString::number(processes));
        environment.insert(QStringLiteral("LOCAL_WORLD_SIZE"), QString::number(processes));
        environment.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
        environment.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
        if (!system.contains(QStringLiteral("TORCHCANVAS_THREADS")))
            environment.insert(QStringLiteral("TORCHCANVAS_THREADS"), QString::number(threads));
        std::vector<std::string> variables;
        for (const QString& entry : environment.toStringList())
            variables.push_back(entry.toStdString());
        std::vector<char*> argv;
        for (std::string& argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (std::string& variable : variables)
            envp.push_back(variable.data());
        envp.push_back(nullptr);

        err().flush();
        const pid_t pid = fork();
        if (pid == 0) {
            execve(program.c_str(), argv.data(), envp.data());
            _exit(127);
        }
        Worker& worker = workers[size_t(rank)];
        worker.rank = rank;
        worker.pid = pid;
        worker.running = pid > 0;
        if (pid < 0) {
            err() << "torchcanvas train: cannot start rank " << rank << ": "
                  << QString::fromLocal8Bit(std::strerror(errno)) << Qt::endl;
            worker.status = 1 << 8;
        }
    }

    int exitCode = 0;
    QString firstFailure;
    // Set once a rank failed: when the others must have ended (then when SIGKILL follows).
    bool deadlineSet = false;
    std::chrono::steady_clock::time_point deadline{};
    bool terminated = false;
    while (anyRunning(workers)) {
        if (g_forwardSignal == SIGTERM) {
            signalAll(workers, SIGTERM);
            g_forwardSignal = 0;
        }
        std::vector<Worker*> ended;
        reap(workers, &ended);
        for (const Worker* worker : ended) {
            if (!failed(*worker))
                continue;
            err() << "torchcanvas train: " << describeExit(*worker) << Qt::endl;
            if (firstFailure.isEmpty()) {
                firstFailure = describeExit(*worker);
                exitCode = WIFSIGNALED(worker->status) ? 1 : WEXITSTATUS(worker->status);
                deadline = std::chrono::steady_clock::now() + grace;
                deadlineSet = true;
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (deadlineSet && now >= deadline && anyRunning(workers)) {
            if (!terminated) {
                err() << "torchcanvas train: stopping the remaining ranks" << Qt::endl;
                signalAll(workers, SIGTERM);
                terminated = true;
                deadline = now + kTerminateGrace;
            } else {
                signalAll(workers, SIGKILL);
                deadlineSet = false;
            }
        }
        if (anyRunning(workers))
            std::this_thread::sleep_for(kPollInterval);
    }
    sigaction(SIGINT, &previousInt, nullptr);
    sigaction(SIGTERM, &previousTerm, nullptr);
    if (!firstFailure.isEmpty())
        return fail(QStringLiteral("train"),
                    QStringLiteral("the data-parallel run failed: %1").arg(firstFailure),
                    exitCode == 0 ? ExitFailure : exitCode);
    return ExitOk;
}

} // namespace tc::cli
