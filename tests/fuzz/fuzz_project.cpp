// libFuzzer target: the project loader (core/graph/Project) and validation of whatever it
// accepts, on arbitrary bytes.

#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/graph/Validation.h"
#include "FuzzSupport.h"

TC_FUZZ_ENTRY {
    const QByteArray bytes = tc::fuzz::bytesOf(data, size);
    tc::graph::Project project;
    QString error;
    const QString path = QStringLiteral("/nonexistent/fuzz.tcproj");
    if (!project.loadFromData(bytes, path, &error)) {
        tc::fuzz::require(!error.isEmpty(), "a refused project says why");
        tc::fuzz::require(error.contains(path), "the message names the file");
        return 0;
    }
    const tc::graph::Validation validation = project.validate();
    for (const auto& problem : validation.problems)
        tc::fuzz::require(!problem.message.isEmpty(), "every problem has a message");
    // What loads saves, and what it saves loads to the same bytes.
    const QByteArray saved = project.toJson(path);
    tc::graph::Project reloaded;
    tc::fuzz::require(reloaded.loadFromData(saved, path, &error), "a saved project loads");
    tc::fuzz::require(reloaded.toJson(path) == saved, "save → load → save is stable");
    return 0;
}
