#include "app/cli/Cli.h"
#include "app/cli/Commands.h"
#include "app/cli/LocalLauncher.h"
#include "core/train/Decision.h"
#include "core/train/Distributed.h"
#include "core/train/ProjectTraining.h"
#include "core/util/Devices.h"
#include "core/util/RegularFile.h"

#include <atomic>
#include <csignal>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTextStream>
#include <thread>
#include <unistd.h>
#include <vector>

namespace tc::cli {

namespace {

const QString kCommand = QStringLiteral("train");

QString duration(double seconds) {
    if (seconds < 0)
        return QStringLiteral("?");
    const int total = static_cast<int>(seconds + 0.5);
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

QString percent(double value) {
    return QString::number(value * 100.0, 'f', 1) + QLatin1Char('%');
}

/// Prints progress to the terminal: one self-rewriting line on a terminal, a line every few
/// seconds (and every epoch) when the output is a file or a pipe.
class ConsoleProgress : public tc::train::TrainingObserver {
public:
    ConsoleProgress()
        : m_interactive(isatty(STDERR_FILENO) == 1) {
        m_sinceLine.start();
    }

    void onStarted(const tc::train::RunStartedEvent& e) override {
        endLine();
        err() << "data: " << e.trainImages << " training, " << e.validationImages << " validation, "
              << e.testImages << " test images; classes " << e.classNames.join(QStringLiteral(", "))
              << '\n';
        err() << "model: " << e.model << '\n';
        if (!e.weights.isEmpty())
            err() << "weights: " << e.weights << '\n';
        err() << "precision: " << e.precision << '\n' << "seed: " << e.seed << '\n';
        for (const QString& warning : e.warnings)
            err() << "warning: " << warning << '\n';
        err().flush();
    }

    void onPhase(const tc::train::PhaseEvent& e) override {
        if (e.phase == tc::train::Phase::CachingFeatures && e.total > 0) {
            if (!m_cachingClock.isValid())
                m_cachingClock.start();
            const double seconds = m_cachingClock.nsecsElapsed() / 1e9;
            const double rate = seconds > 0 ? e.current / seconds : 0.0;
            const double eta = rate > 0 ? (e.total - e.current) / rate : -1.0;
            status(QStringLiteral("[caching features] %1/%2 images · %3 img/s · ETA %4")
                       .arg(e.current)
                       .arg(e.total)
                       .arg(rate, 0, 'f', 1)
                       .arg(duration(eta)),
                   e.current == e.total);
            return;
        }
        if (!e.message.isEmpty()) {
            endLine();
            err() << '[' << tc::train::toString(e.phase) << "] " << e.message << Qt::endl;
        }
    }

    void onBatch(const tc::train::BatchEvent& e) override {
        status(QStringLiteral("[training] epoch %1/%2 · batch %3/%4 · ETA %5 · %6 img/s · loss "
                              "%7 · accuracy %8")
                   .arg(e.epoch)
                   .arg(e.epochs)
                   .arg(e.batch)
                   .arg(e.batchesPerEpoch)
                   .arg(duration(e.etaSeconds))
                   .arg(e.imagesPerSecond, 0, 'f', 0)
                   .arg(e.loss, 0, 'f', 4)
                   .arg(percent(e.accuracy)),
               false);
    }

    void onEpoch(const tc::train::EpochEvent& e) override {
        endLine();
        err() << "epoch " << e.epoch << '/' << e.epochs << ": train loss "
              << QString::number(e.train.loss, 'f', 4) << " accuracy "
              << percent(e.train.metrics.accuracy);
        if (e.validation) {
            const auto& v = *e.validation;
            err() << " · validation loss " << QString::number(v.loss, 'f', 4) << " accuracy "
                  << percent(v.metrics.accuracy) << " (balanced "
                  << percent(v.metrics.balancedAccuracy);
            if (v.metrics.rocAuc)
                err() << ", AUC " << QString::number(*v.metrics.rocAuc, 'f', 3);
            err() << ')';
        }
        err() << " · " << QString::number(e.seconds, 'f', 1) << " s" << (e.best ? " · best" : "")
              << Qt::endl;
    }

    void onError(const tc::train::ErrorEvent& e) override {
        endLine();
        m_lastError = e.message;
    }

    void onFinished(const tc::train::FinishedEvent&) override { endLine(); }

    QString lastError() const { return m_lastError; }

private:
    void status(const QString& text, bool final) {
        if (m_interactive) {
            err() << '\r' << text.leftJustified(m_lastWidth) << (final ? "\n" : "");
            m_lastWidth = final ? 0 : static_cast<int>(text.size());
            m_open = !final;
            err().flush();
        } else if (final || m_sinceLine.elapsed() >= 5000) {
            err() << text << Qt::endl;
            m_sinceLine.restart();
        }
    }

    void endLine() {
        if (m_open)
            err() << '\n';
        m_open = false;
        m_lastWidth = 0;
    }

    bool m_interactive = false;
    bool m_open = false;
    int m_lastWidth = 0;
    QElapsedTimer m_sinceLine;
    QElapsedTimer m_cachingClock;
    QString m_lastError;
};

/// Turns Ctrl-C (SIGINT) and SIGTERM into a stop request at the next batch; a second one
/// ends the process at once. The handler only writes the signal's number to a pipe (all a
/// signal handler may safely do, whichever thread it lands on); a watcher thread reads it
/// and asks the trainer to stop. A signal the parent set to be ignored stays ignored.
class InterruptWatcher {
public:
    explicit InterruptWatcher(tc::train::TrainingControl& control) {
        if (pipe(s_pipe) != 0)
            return;
        for (const int signal : {SIGINT, SIGTERM}) {
            struct sigaction previous {};
            sigaction(signal, nullptr, &previous);
            if (previous.sa_handler == SIG_IGN)
                continue;
            struct sigaction action {};
            action.sa_handler = &InterruptWatcher::handle;
            sigemptyset(&action.sa_mask);
            sigaction(signal, &action, &m_previous[signal == SIGINT ? 0 : 1]);
            m_installed[signal == SIGINT ? 0 : 1] = true;
        }
        m_thread = std::thread([this, &control] {
            char received = 0;
            while (read(s_pipe[0], &received, 1) == 1 && received != 0) {
                m_interrupted = true;
                const char message[] =
                    "\ninterrupted: stopping after this batch (press Ctrl-C again to quit now)\n";
                (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
                control.requestStop();
            }
        });
    }
    ~InterruptWatcher() {
        for (int i = 0; i < 2; ++i) {
            if (m_installed[i])
                sigaction(i == 0 ? SIGINT : SIGTERM, &m_previous[i], nullptr);
        }
        if (m_thread.joinable()) {
            const char stop = 0;
            (void)!write(s_pipe[1], &stop, 1);
            m_thread.join();
        }
        close(s_pipe[0]);
        close(s_pipe[1]);
    }
    bool interrupted() const { return m_interrupted; }

private:
    static void handle(int signal) {
        if (s_count.fetch_add(1) >= 1)
            _exit(130);
        const char code = static_cast<char>(signal);
        (void)!write(s_pipe[1], &code, 1);
    }

    static inline int s_pipe[2] = {-1, -1};
    static inline std::atomic<int> s_count{0};
    struct sigaction m_previous[2]{};
    bool m_installed[2] = {false, false};
    std::atomic<bool> m_interrupted{false};
    std::thread m_thread;
};

/// The decision policy options; what is not given stays the project's (trainProject applies
/// them). A bad value or two rules at once set `problem`.
tc::train::DecisionOverride decisionOverride(const QCommandLineParser& parser,
                                             const std::vector<QCommandLineOption>& rules,
                                             const QCommandLineOption& noTemperature,
                                             const QCommandLineOption& aggregation,
                                             QString* problem) {
    tc::train::DecisionOverride result;
    int given = 0;
    for (const auto& rule : rules)
        given += parser.isSet(rule) ? 1 : 0;
    if (given > 1) {
        *problem = QStringLiteral("choose one of --target-sensitivity, --target-specificity, "
                                  "--youden and --threshold");
        return result;
    }
    auto fraction = [&](const QCommandLineOption& option, double low) -> std::optional<double> {
        bool ok = false;
        const double number = parser.value(option).toDouble(&ok);
        if (!ok || !(number >= low) || number > 1.0) {
            *problem = QStringLiteral("--%1 needs a number in %2, not '%3'")
                           .arg(option.names().front(),
                                low > 0.0 ? QStringLiteral("(0, 1]") : QStringLiteral("[0, 1]"),
                                parser.value(option));
            return std::nullopt;
        }
        return number;
    };
    if (parser.isSet(rules[0])) {
        result.rule = tc::train::ThresholdRule::TargetSensitivity;
        result.target = fraction(rules[0], 1e-9);
    } else if (parser.isSet(rules[1])) {
        result.rule = tc::train::ThresholdRule::TargetSpecificity;
        result.target = fraction(rules[1], 1e-9);
    } else if (parser.isSet(rules[2])) {
        result.rule = tc::train::ThresholdRule::Youden;
    } else if (parser.isSet(rules[3])) {
        result.rule = tc::train::ThresholdRule::Fixed;
        result.threshold = fraction(rules[3], 0.0);
    }
    if (parser.isSet(noTemperature))
        result.temperatureScaling = false;
    if (parser.isSet(aggregation)) {
        result.aggregation = tc::train::parsePatientAggregation(parser.value(aggregation));
        if (!result.aggregation)
            *problem = QStringLiteral("--patient-aggregation must be mean or max, not '%1'")
                           .arg(parser.value(aggregation));
    }
    return result;
}

/// "sensitivity 95.0 % (88.1–98.2), specificity …, PPV …, NPV …; sets aside 41 of 120 images
/// (34.2 %), 2 positives among them"
QString figuresLine(const tc::train::BinaryFigures& f, const char* unit) {
    auto figure = [](const char* name, double value, const tc::train::Interval& interval) {
        return QStringLiteral("%1 %2 (%3–%4)")
            .arg(QLatin1String(name), percent(value), percent(interval.low),
                 percent(interval.high));
    };
    return QStringList{figure("sensitivity", f.sensitivity(), f.sensitivityInterval()),
                       figure("specificity", f.specificity(), f.specificityInterval()),
                       figure("PPV", f.ppv(), f.ppvInterval()),
                       figure("NPV", f.npv(), f.npvInterval())}
               .join(QStringLiteral(", ")) +
           QStringLiteral("; sets aside %1 of %2 %3 (%4), %5 positive(s) among them")
               .arg(f.setAside())
               .arg(f.cases())
               .arg(QLatin1String(unit), percent(f.setAsideShare()))
               .arg(f.falseNegatives);
}

/// A follower rank of a data-parallel run: rank 0 prints the progress; a follower keeps only
/// its last error for the final message.
class FollowerProgress : public tc::train::TrainingObserver {
public:
    void onError(const tc::train::ErrorEvent& e) override { m_lastError = e.message; }

private:
    QString m_lastError;
};

/// The arguments every rank started by --nproc gets: the user's, without --nproc, with the
/// run folder fixed (a default folder named after the time could differ between ranks).
QStringList workerArguments(const QStringList& arguments, const QString& runDirectory) {
    QStringList result{kCommand};
    bool hasOut = false;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString& argument = arguments[i];
        if (argument == QLatin1String("--nproc")) {
            ++i;
            continue;
        }
        if (argument.startsWith(QLatin1String("--nproc=")))
            continue;
        hasOut = hasOut || argument == QLatin1String("--out") ||
                 argument.startsWith(QLatin1String("--out="));
        result << argument;
    }
    if (!hasOut)
        result << QStringLiteral("--out") << runDirectory;
    return result;
}

} // namespace

int runTrain(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Trains a project's model headless: progress on the terminal, then metrics.csv, "
        "batches.csv, report.json and checkpoints in the run folder. Ctrl-C stops cleanly and "
        "leaves a checkpoint that --resume continues from."));
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("A .tcproj file."),
                                 QStringLiteral("PROJECT"));
    const QCommandLineOption dataOption(QStringLiteral("data"),
                                        QStringLiteral("Train on this CSV or folder instead."),
                                        QStringLiteral("CSV_OR_FOLDER"));
    const QCommandLineOption epochsOption(QStringLiteral("epochs"),
                                          QStringLiteral("Override the project's epochs."),
                                          QStringLiteral("N"));
    const QCommandLineOption outOption(
        QStringLiteral("out"),
        QStringLiteral("Run folder (default: runs/<project>-<date-time> in the current folder)."),
        QStringLiteral("RUN_DIR"));
    const QCommandLineOption resumeOption(
        QStringLiteral("resume"), QStringLiteral("Continue from RUN_DIR/checkpoint-last.pt."));
    const QCommandLineOption allowChangedOption(
        QStringLiteral("allow-changed-settings"),
        QStringLiteral("With --resume: continue although the training settings changed since "
                       "the checkpoint (the changes are recorded in report.json)."));
    const QCommandLineOption precisionOption(
        QStringLiteral("precision"),
        QStringLiteral("Backbone arithmetic: fp32, bf16 or auto (the project's by default)."),
        QStringLiteral("P"));
    const QCommandLineOption weightsOption(
        QStringLiteral("weights-dir"),
        QStringLiteral("Folder of pretrained weights (default: the user's weights folder)."),
        QStringLiteral("DIR"));
    const QCommandLineOption cacheDirOption(
        QStringLiteral("feature-cache-dir"),
        QStringLiteral("Folder of the on-disk feature cache (default: the user's cache folder)."),
        QStringLiteral("DIR"));
    const QCommandLineOption noDiskCacheOption(
        QStringLiteral("no-disk-cache"),
        QStringLiteral("Compute frozen-backbone features afresh and keep them in memory only."));
    const QCommandLineOption sensitivityOption(
        QStringLiteral("target-sensitivity"),
        QStringLiteral("Operating point: the highest threshold whose sensitivity on the "
                       "validation split is at least S (0-1, e.g. 0.95 for triage; the "
                       "project's rule by default)."),
        QStringLiteral("S"));
    const QCommandLineOption specificityOption(
        QStringLiteral("target-specificity"),
        QStringLiteral("Operating point: the lowest threshold whose specificity on the "
                       "validation split is at least S (0-1)."),
        QStringLiteral("S"));
    const QCommandLineOption youdenOption(
        QStringLiteral("youden"),
        QStringLiteral("Operating point: the threshold maximising sensitivity + specificity "
                       "on the validation split."));
    const QCommandLineOption thresholdOption(
        QStringLiteral("threshold"),
        QStringLiteral("Operating point: this fixed threshold on the positive class's "
                       "probability (0-1)."),
        QStringLiteral("T"));
    const QCommandLineOption noTemperatureOption(
        QStringLiteral("no-temperature-scaling"),
        QStringLiteral("Keep the softmax probabilities as they are (by default a temperature "
                       "is fitted on the validation split)."));
    const QCommandLineOption aggregationOption(
        QStringLiteral("patient-aggregation"),
        QStringLiteral("How a patient's image probabilities are combined: mean or max."),
        QStringLiteral("HOW"));
    const QCommandLineOption deviceOption(
        QStringLiteral("device"),
        QStringLiteral("Where the trainable part computes: cpu (default), cuda or cuda:N. "
                       "Available here: %1.")
            .arg(tc::runtime::availableDevices().join(QStringLiteral(", "))),
        QStringLiteral("DEVICE"));
    const QCommandLineOption nprocOption(
        QStringLiteral("nproc"),
        QStringLiteral("Data-parallel training in N local processes (PyTorch c10d, Gloo, on "
                       "127.0.0.1): each takes its share of every batch, so the trajectory is "
                       "that of one process. Under torchrun (RANK, WORLD_SIZE, MASTER_ADDR, "
                       "MASTER_PORT set) a process joins that group instead."),
        QStringLiteral("N"));
    parser.addOptions({dataOption, epochsOption, outOption, resumeOption, allowChangedOption,
                       precisionOption, weightsOption, cacheDirOption, noDiskCacheOption,
                       sensitivityOption, specificityOption, youdenOption, thresholdOption,
                       noTemperatureOption, aggregationOption, deviceOption, nprocOption});
    if (const auto exit = parse(parser, kCommand, arguments))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(kCommand,
                    QStringLiteral("expected one PROJECT file (see 'torchcanvas train "
                                   "--help')"),
                    ExitUsage);
    tc::train::TrainingRequest request;
    request.projectPath = QFileInfo(positional.front()).absoluteFilePath();
    if (const QString problem = tc::util::regularFileProblem(request.projectPath);
        !problem.isEmpty()) {
        return fail(kCommand, QStringLiteral("%1: %2").arg(
                                  positional.front(), problem == QLatin1String("does not exist")
                                                          ? QStringLiteral("no such file")
                                                          : problem));
    }
    request.dataOverride = parser.value(dataOption);
    if (parser.isSet(epochsOption)) {
        bool ok = false;
        request.epochs = parser.value(epochsOption).toInt(&ok);
        if (!ok || request.epochs < 1)
            return fail(kCommand,
                        QStringLiteral("--epochs needs a whole number ≥ 1, not '%1'")
                            .arg(parser.value(epochsOption)),
                        ExitUsage);
    }
    if (parser.isSet(precisionOption)) {
        request.precision = tc::train::parsePrecision(parser.value(precisionOption));
        if (!request.precision)
            return fail(kCommand,
                        QStringLiteral("--precision must be fp32, bf16 or auto, not '%1'")
                            .arg(parser.value(precisionOption)),
                        ExitUsage);
    }
    {
        QString problem;
        request.decision = decisionOverride(
            parser, {sensitivityOption, specificityOption, youdenOption, thresholdOption},
            noTemperatureOption, aggregationOption, &problem);
        if (!problem.isEmpty())
            return fail(kCommand, problem, ExitUsage);
    }
    request.resume = parser.isSet(resumeOption);
    request.allowChangedSettings = parser.isSet(allowChangedOption);
    if (request.resume && !parser.isSet(outOption))
        return fail(kCommand, QStringLiteral("--resume needs --out RUN_DIR (the run to continue)"),
                    ExitUsage);
    request.runDirectory = parser.isSet(outOption)
                               ? QFileInfo(parser.value(outOption)).absoluteFilePath()
                               : QDir::current().absoluteFilePath(
                                     QStringLiteral("runs/%1-%2")
                                         .arg(QFileInfo(request.projectPath).completeBaseName(),
                                              QDateTime::currentDateTime().toString(
                                                  QStringLiteral("yyyyMMdd-HHmmss"))));
    request.weightsDirectory = parser.value(weightsOption);
    request.featureStoreRoot = parser.value(cacheDirOption);
    request.diskCache = !parser.isSet(noDiskCacheOption);

    QString problem;
    const std::optional<tc::runtime::DeviceChoice> device =
        tc::runtime::parseDevice(parser.value(deviceOption), &problem);
    if (!device)
        return fail(kCommand, problem, ExitUsage);
    if (const QString unavailable = tc::runtime::deviceProblem(*device); !unavailable.isEmpty())
        return fail(kCommand, unavailable);
    if (parser.isSet(deviceOption))
        request.device = device->toString();

    const std::optional<tc::train::DistributedConfig> distributed =
        tc::train::DistributedConfig::fromEnvironment(QProcessEnvironment::systemEnvironment(),
                                                      &problem);
    if (!distributed)
        return fail(kCommand, problem, ExitUsage);
    if (parser.isSet(nprocOption)) {
        bool ok = false;
        const int processes = parser.value(nprocOption).toInt(&ok);
        if (!ok || processes < 1)
            return fail(kCommand,
                        QStringLiteral("--nproc needs a whole number ≥ 1, not '%1'")
                            .arg(parser.value(nprocOption)),
                        ExitUsage);
        if (distributed->distributed())
            return fail(kCommand,
                        QStringLiteral("--nproc starts its own ranks; it cannot be combined "
                                       "with a torchrun environment (WORLD_SIZE=%1)")
                            .arg(distributed->worldSize),
                        ExitUsage);
        if (processes > 1)
            return launchLocalWorkers(workerArguments(arguments, request.runDirectory), processes,
                                      distributed->timeout);
    }
    std::shared_ptr<tc::train::ProcessGroup> group;
    if (distributed->distributed()) {
        try {
            group = tc::train::ProcessGroup::join(*distributed, device->isCuda());
        } catch (const std::exception& error) {
            return fail(kCommand, QString::fromUtf8(error.what()));
        }
        request.group = group;
    }
    const bool follower = group && !group->isLeader();

    tc::train::TrainingControl control;
    ConsoleProgress leaderProgress;
    FollowerProgress followerProgress;
    tc::train::TrainingObserver& progress =
        follower ? static_cast<tc::train::TrainingObserver&>(followerProgress) : leaderProgress;
    if (group && !follower)
        err() << "distributed: " << group->worldSize() << " ranks (" << group->backendName()
              << "), global batch split between them; rank 0 writes the run" << Qt::endl;
    tc::train::FinishedEvent finished;
    bool interrupted = false;
    {
        InterruptWatcher watcher(control);
        finished = tc::train::trainProject(request, progress, control);
        interrupted = watcher.interrupted();
    }

    if (finished.reason == tc::train::FinishReason::Failed)
        return fail(kCommand,
                    group ? QStringLiteral("rank %1: %2").arg(group->rank()).arg(finished.message)
                          : finished.message);
    if (group) {
        // Rank 0 hosts the rendezvous store: leave together, so that no rank outlives it.
        try {
            group->barrier();
        } catch (const std::exception&) {
        }
    }
    if (follower)
        return finished.reason == tc::train::FinishReason::Stopped
                   ? (interrupted ? 130 : ExitFailure)
                   : ExitOk;
    if (finished.test) {
        const auto& t = finished.test->metrics;
        err() << "test: accuracy " << percent(t.accuracy) << " (95% CI "
              << percent(t.accuracyInterval().low) << "–" << percent(t.accuracyInterval().high)
              << "), balanced " << percent(t.balancedAccuracy);
        if (t.rocAuc)
            err() << ", AUC " << QString::number(*t.rocAuc, 'f', 3);
        err() << " on " << t.samples << " images (best epoch " << finished.bestEpoch << ")\n";
    }
    if (!finished.message.isEmpty() && finished.reason != tc::train::FinishReason::Stopped)
        err() << "note: " << finished.message << '\n';
    if (finished.decision) {
        const tc::train::DecisionReport& decision = *finished.decision;
        err() << "operating point: " << decision.operatingPoint().describe() << '\n';
        err() << "  test: " << figuresLine(decision.test, "images") << '\n';
        if (decision.testPatients)
            err() << "  test patients (" << tc::train::toString(decision.policy.aggregation)
                  << "): " << figuresLine(decision.testPatients->figures, "patients") << "; "
                  << decision.testPatients->patientsWithMissedPositiveImage
                  << " patient(s) with a missed " << decision.positiveClassName << " image\n";
        err() << "  calibration (test): ECE " << QString::number(decision.testBefore.ece, 'f', 3)
              << " → " << QString::number(decision.testAfter.ece, 'f', 3) << ", Brier "
              << QString::number(decision.testBefore.brier, 'f', 3) << " → "
              << QString::number(decision.testAfter.brier, 'f', 3) << '\n';
    } else if (finished.test && finished.validationPredictions.empty()) {
        err() << "operating point: none (no validation split to choose it on; decisions are "
                 "argmax)\n";
    }
    for (const QString& warning : finished.warnings)
        err() << "WARNING: " << warning << '\n';
    err() << "run folder: " << QDir::toNativeSeparators(request.runDirectory) << '\n';
    err().flush();
    if (finished.reason == tc::train::FinishReason::Stopped) {
        return fail(kCommand,
                    QStringLiteral("stopped%1 after %2 epoch(s); continue with: torchcanvas train "
                                   "%3 --out %4 --resume")
                        .arg(interrupted ? QStringLiteral(" by an interrupt") : QString())
                        .arg(finished.epochsCompleted)
                        .arg(request.projectPath, request.runDirectory),
                    interrupted ? 130 : ExitFailure);
    }
    out() << "finished (" << tc::train::toString(finished.reason) << ") after "
          << finished.epochsCompleted << " epoch(s) in "
          << QString::number(finished.seconds, 'f', 1) << " s" << Qt::endl;
    if (finished.warningsAreErrors)
        return fail(kCommand,
                    QStringLiteral("the results cannot be trusted: %1 (also in %2)")
                        .arg(finished.warnings.join(QStringLiteral("; ")),
                             QDir(request.runDirectory).filePath(QStringLiteral("report.json"))));
    return ExitOk;
}

} // namespace tc::cli
