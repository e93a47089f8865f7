// torchcanvas: the editor (no arguments or a project file) or a headless subcommand.

#include "app/cli/Cli.h"
#include "core/nn/PrecisionPolicy.h"
#include "core/nn/WeightsAvailability.h"
#include "core/util/BuildInfo.h"
#include "core/util/Failure.h"
#include "core/util/Runtime.h"
#include "ui/Application.h"
#include "ui/MainWindow.h"

#include <cstring>
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QStatusBar>
#include <QTextStream>

namespace {

void setApplicationIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("TorchCanvas"));
    QCoreApplication::setApplicationName(QStringLiteral("TorchCanvas"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TORCHCANVAS_VERSION));
}

/// Moves weight files out of the folder of earlier versions, once (see
/// nn::migrateLegacyWeights()); what happened, or an empty string. A weights folder chosen
/// with TORCHCANVAS_WEIGHTS_DIR is left alone.
QString migrateWeightsFolder() {
    if (qEnvironmentVariableIsSet("TORCHCANVAS_WEIGHTS_DIR"))
        return {};
    return tc::nn::migrateLegacyWeights();
}

bool isOneOf(const char* argument, std::initializer_list<const char*> options) {
    for (const char* option : options) {
        if (std::strcmp(argument, option) == 0)
            return true;
    }
    return false;
}

/// The GUI needs a windowing system; without one QApplication aborts with a message that
/// does not say what to do instead.
bool displayAvailable() {
#if defined(Q_OS_LINUX)
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY") ||
           qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
#else
    return true;
#endif
}

/// Returns the first option that neither TorchCanvas nor Qt's QGuiApplication knows, so that
/// a typo is reported even where no display exists.
QString unknownGuiOption(int argc, char* argv[]) {
    // QGuiApplication/QApplication options that take a value, then flags.
    static const QStringList withValue = {QStringLiteral("platform"),
                                          QStringLiteral("platformpluginpath"),
                                          QStringLiteral("platformtheme"),
                                          QStringLiteral("plugin"),
                                          QStringLiteral("qwindowgeometry"),
                                          QStringLiteral("qwindowicon"),
                                          QStringLiteral("qwindowtitle"),
                                          QStringLiteral("geometry"),
                                          QStringLiteral("title"),
                                          QStringLiteral("display"),
                                          QStringLiteral("style"),
                                          QStringLiteral("stylesheet"),
                                          QStringLiteral("session"),
                                          QStringLiteral("name"),
                                          QStringLiteral("icon"),
                                          QStringLiteral("qmljsdebugger")};
    static const QStringList flags = {QStringLiteral("reverse"), QStringLiteral("widgetcount"),
                                      QStringLiteral("nograb"), QStringLiteral("dograb"),
                                      QStringLiteral("sync")};
    for (int i = 1; i < argc; ++i) {
        const QString argument = QString::fromLocal8Bit(argv[i]);
        if (!argument.startsWith(QLatin1Char('-')) || argument == QLatin1String("-"))
            continue;
        QString name = argument.mid(argument.startsWith(QLatin1String("--")) ? 2 : 1);
        name = name.section(QLatin1Char('='), 0, 0);
        if (withValue.contains(name)) {
            if (!argument.contains(QLatin1Char('=')))
                ++i;
            continue;
        }
        if (!flags.contains(name))
            return argument;
    }
    return {};
}

int runCommand(int argc, char* argv[], const tc::cli::Command& command) {
    QCoreApplication app(argc, argv);
    setApplicationIdentity();
    tc::runtime::configureProcess();
    QStringList arguments = QCoreApplication::arguments();
    arguments.erase(arguments.begin(), arguments.begin() + 2); // binary, subcommand
    if (const QString moved = migrateWeightsFolder(); !moved.isEmpty())
        tc::cli::err() << moved << Qt::endl;
    // The last line of defence: an exception (std::bad_alloc, c10::Error, cv::Exception)
    // that no reader or worker turned into a message ends the command with one line and a
    // non-zero exit, never with std::terminate's "terminate called…" and an abort.
    try {
        return command.run(arguments);
    } catch (...) {
        return tc::cli::fail(QString::fromLatin1(command.name),
                             tc::util::describeCurrentException());
    }
}

int runGui(int argc, char* argv[]) {
    tc::ui::Application app(argc, argv);
    setApplicationIdentity();
    QApplication::setDesktopFileName(QStringLiteral("io.github.torchcanvas.TorchCanvas"));
    tc::runtime::configureProcess();

    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("project"),
                                 QStringLiteral("A .tcproj project file to open."),
                                 QStringLiteral("[PROJECT.tcproj]"));
    if (!parser.parse(QCoreApplication::arguments()))
        return tc::cli::fail({}, parser.errorText() + QStringLiteral(" (see 'torchcanvas --help')"),
                             tc::cli::ExitUsage);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return tc::cli::fail({}, QStringLiteral("only one project can be opened at a time"),
                             tc::cli::ExitUsage);

    const QString moved = migrateWeightsFolder();
    tc::ui::MainWindow window;
    window.show();
    if (!moved.isEmpty())
        window.statusBar()->showMessage(moved);
    // Unsaved work from a crashed session comes first; a recovered project stays open
    // instead of the one named on the command line.
    const bool recovered = window.offerRecovery();
    if (!recovered && !positional.isEmpty())
        window.openProject(positional.constFirst());
    return QApplication::exec();
}

} // namespace

int main(int argc, char* argv[]) {
    // Decide before any QApplication exists: --version, --help and subcommands must work
    // with no display.
    if (argc > 1) {
        const char* first = argv[1];
        if (isOneOf(first, {"-v", "--version"})) {
            QCoreApplication app(argc, argv);
            const tc::nn::PrecisionDecision precision = tc::nn::autoPrecision();
            tc::cli::out() << tc::versionLine() << '\n'
                           << "Precision: auto is " << tc::nn::precisionName(precision.precision)
                           << " on this machine (" << precision.reason << "); CPU " << precision.cpu
                           << Qt::endl;
            return tc::cli::ExitOk;
        }
        if (isOneOf(first, {"-h", "--help", "help"})) {
            QCoreApplication app(argc, argv);
            tc::cli::out() << tc::cli::globalHelp();
            tc::cli::out().flush();
            return tc::cli::ExitOk;
        }
        if (const tc::cli::Command* command = tc::cli::findCommand(QString::fromLocal8Bit(first)))
            return runCommand(argc, argv, *command);
        if (first[0] != '-') {
            // A positional argument: a project file for the GUI, or a mistyped command.
            const QString argument = QString::fromLocal8Bit(first);
            if (!argument.endsWith(QLatin1String(".tcproj")) && !QFileInfo(argument).isFile()) {
                return tc::cli::fail({},
                                     QStringLiteral("unknown command '%1' (see 'torchcanvas "
                                                    "--help')")
                                         .arg(argument),
                                     tc::cli::ExitUsage);
            }
        }
    }
    if (const QString option = unknownGuiOption(argc, argv); !option.isEmpty()) {
        return tc::cli::fail(
            {}, QStringLiteral("unknown option '%1' (see 'torchcanvas --help')").arg(option),
            tc::cli::ExitUsage);
    }
    if (!displayAvailable()) {
        return tc::cli::fail({},
                             QStringLiteral("no display found: the editor needs one. Run a "
                                            "command instead (e.g. 'torchcanvas train "
                                            "PROJECT.tcproj') or set QT_QPA_PLATFORM=offscreen"),
                             tc::cli::ExitUsage);
    }
    return runGui(argc, argv);
}
