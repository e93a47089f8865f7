#pragma once

#include <optional>
#include <QCommandLineParser>
#include <QStringList>
#include <vector>

class QTextStream;

namespace tc::cli {

/// Exit codes shared by every subcommand.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1, ///< the work ran and found a problem (invalid graph, failed download…)
    ExitUsage = 2,   ///< bad command line: unknown option, missing argument
};

/// A subcommand of the `torchcanvas` binary. `run` receives the arguments after the
/// subcommand's name, runs under a QCoreApplication and must not need a display.
struct Command {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& arguments);
};

const std::vector<Command>& commands();
const Command* findCommand(const QString& name);

/// The top-level --help text: usage and every subcommand with its summary.
QString globalHelp();

QTextStream& out();
QTextStream& err();

/// Flushes out() and checks that everything written to standard output arrived (a full
/// disk or a closed pipe): false with "cannot write standard output: <reason>" otherwise.
bool flushOutput(QString* error);

/// Prints "torchcanvas <command>: <reason>" on one line to stderr and returns `code`.
int fail(const QString& command, const QString& reason, int code = ExitFailure);

/// Image files named by `inputs`: files as given, folders searched recursively for files
/// with an image extension (sorted, so runs are reproducible). Inputs that do not exist are
/// reported in `problems` and skipped.
QStringList collectImageFiles(const QStringList& inputs, QStringList* problems);

/// Parses `arguments` (with "torchcanvas <command>" prepended for the parser) after adding
/// --help. Returns an exit code when the command should stop now (help printed: 0; a bad
/// command line: a one-line reason and ExitUsage), std::nullopt to carry on.
std::optional<int> parse(QCommandLineParser& parser, const QString& command,
                         const QStringList& arguments);

} // namespace tc::cli
