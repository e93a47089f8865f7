#pragma once

#include <QStringList>

// One function per subcommand; each lives in its own <Name>Command.cpp.
namespace tc::cli {
int runTrain(const QStringList& arguments);
int runPredict(const QStringList& arguments);
int runExplain(const QStringList& arguments);
int runEmbed(const QStringList& arguments);
int runExport(const QStringList& arguments);
int runValidate(const QStringList& arguments);
int runData(const QStringList& arguments);
int runDemoData(const QStringList& arguments);
int runWeights(const QStringList& arguments);
} // namespace tc::cli
