// Fuzz-style tests of project loading: every truncation and thousands of random byte-level and
// JSON-level mutations of the example project. Each input must either load (and then validate,
// save and reload to the same bytes) or fail with a one-line message naming the file; never
// crash or hang.

#include "core/graph/Project.h"
#include "tst_graphhelpers.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QtTest>

using namespace tc::graph;

namespace {

const QString kExample =
    QStringLiteral(TORCHCANVAS_SOURCE_DIR "/resources/examples/breast-cancer.tcproj");
const QString kName = QStringLiteral("/fuzz/mutant.tcproj");

QByteArray exampleBytes() {
    QFile file(kExample);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// `{"nodes": [...], "links": [...]}}`: a chain of `count` Dense nodes, each linked to the
/// next (closing the "graph" object and the document too).
QByteArray chainGraph(int count) {
    QByteArray nodes = "{\"nodes\": [";
    QByteArray links = "], \"links\": [";
    for (int i = 1; i <= count; ++i) {
        nodes += QStringLiteral("{\"id\": %1, \"type\": \"Dense\"}%2")
                     .arg(i)
                     .arg(i < count ? "," : "")
                     .toUtf8();
        if (i < count)
            links += QStringLiteral("{\"id\": %1, \"from\": {\"node\": %1, \"port\": 0}, "
                                    "\"to\": {\"node\": %2, \"port\": 0}}%3")
                         .arg(i)
                         .arg(i + 1)
                         .arg(i + 1 < count ? "," : "")
                         .toUtf8();
    }
    return nodes + links + "]}}";
}

/// One Output and `count - 1` Inputs, every Input linked into the Output's only input.
QByteArray fanInGraph(int count) {
    QByteArray nodes = "{\"nodes\": [{\"id\": 1, \"type\": \"Output\"}";
    QByteArray links = "], \"links\": [";
    for (int i = 2; i <= count; ++i) {
        nodes += QStringLiteral(", {\"id\": %1, \"type\": \"Input\"}").arg(i).toUtf8();
        links += QStringLiteral("%1{\"id\": %2, \"from\": {\"node\": %2, \"port\": 0}, "
                                "\"to\": {\"node\": 1, \"port\": 0}}")
                     .arg(i > 2 ? "," : "")
                     .arg(i)
                     .toUtf8();
    }
    return nodes + links + "]}}";
}

struct Tally {
    int loaded = 0;
    int refused = 0;
    int syntaxErrors = 0;
};

/// Loads `data` and checks the outcome. Returns false (after a QFAIL-style message) when an
/// invariant is broken.
bool checkOutcome(const QByteArray& data, Tally& tally, const QString& label) {
    Project project;
    QString error;
    if (!project.loadFromData(data, kName, &error)) {
        ++tally.refused;
        if (error.isEmpty() || !error.startsWith(kName + QStringLiteral(": ")) ||
            error.contains(QLatin1Char('\n')) || error.size() > 400) {
            qWarning("%s: bad failure message: '%s'", qPrintable(label),
                     qPrintable(error.left(500)));
            return false;
        }
        if (error.contains(QStringLiteral("JSON syntax error")))
            ++tally.syntaxErrors;
        if (!project.graph().isEmpty()) {
            qWarning("%s: a failed load changed the project", qPrintable(label));
            return false;
        }
        return true;
    }
    ++tally.loaded;
    for (const QString& warning : project.loadWarnings()) {
        if (!warning.startsWith(kName) || warning.contains(QLatin1Char('\n'))) {
            qWarning("%s: bad warning '%s'", qPrintable(label), qPrintable(warning.left(500)));
            return false;
        }
    }
    const Validation validation = project.validate();
    for (const Problem& problem : validation.problems) {
        if (problem.message.isEmpty() || problem.message.size() > 400 ||
            (problem.node != InvalidId && !project.graph().containsNode(problem.node))) {
            qWarning("%s: bad problem '%s'", qPrintable(label),
                     qPrintable(problem.message.left(500)));
            return false;
        }
    }
    if (validation.shapes.size() != project.graph().nodeCount()) {
        qWarning("%s: shapes missing", qPrintable(label));
        return false;
    }
    // Whatever loaded must save, and load and save again to the same bytes.
    const QByteArray saved = project.toJson(kName);
    Project again;
    if (!again.loadFromData(saved, kName, &error)) {
        qWarning("%s: the saved form does not load: %s", qPrintable(label), qPrintable(error));
        return false;
    }
    if (again.toJson(kName) != saved) {
        qWarning("%s: save -> load -> save is not byte-identical", qPrintable(label));
        return false;
    }
    return true;
}

// ---- JSON-level mutation --------------------------------------------------------------------

using Path = QList<QJsonValue>; // keys (strings) and array indices (numbers)

void collectPaths(const QJsonValue& value, Path& current, QList<Path>& paths) {
    paths.append(current);
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            current.append(it.key());
            collectPaths(it.value(), current, paths);
            current.removeLast();
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (int i = 0; i < array.size(); ++i) {
            current.append(i);
            collectPaths(array.at(i), current, paths);
            current.removeLast();
        }
    }
}

enum class Edit { Replace, Remove, Duplicate, AddKey };

/// A copy of `root` with the value at `path` edited.
QJsonValue edited(const QJsonValue& root, const Path& path, int depth, Edit edit,
                  const QJsonValue& value) {
    if (depth == path.size() - 1 || path.isEmpty()) {
        if (path.isEmpty())
            return edit == Edit::Replace ? value : root;
        const QJsonValue step = path[depth];
        if (root.isObject()) {
            QJsonObject object = root.toObject();
            const QString key = step.toString();
            switch (edit) {
            case Edit::Replace:
                object.insert(key, value);
                break;
            case Edit::Remove:
                object.remove(key);
                break;
            case Edit::Duplicate:
            case Edit::AddKey:
                object.insert(key + QStringLiteral("_x"), value);
                break;
            }
            return object;
        }
        QJsonArray array = root.toArray();
        const int index = step.toInt();
        switch (edit) {
        case Edit::Replace:
            array.replace(index, value);
            break;
        case Edit::Remove:
            array.removeAt(index);
            break;
        case Edit::Duplicate:
            array.insert(index, array.at(index));
            break;
        case Edit::AddKey:
            array.append(value);
            break;
        }
        return array;
    }
    const QJsonValue step = path[depth];
    if (root.isObject()) {
        QJsonObject object = root.toObject();
        object.insert(step.toString(),
                      edited(object.value(step.toString()), path, depth + 1, edit, value));
        return object;
    }
    QJsonArray array = root.toArray();
    array.replace(step.toInt(), edited(array.at(step.toInt()), path, depth + 1, edit, value));
    return array;
}

QJsonValue randomValue(QRandomGenerator& random) {
    QJsonArray deep;
    for (int i = 0; i < 60; ++i)
        deep = QJsonArray{deep};
    const QList<QJsonValue> palette = {
        QJsonValue::Null,
        true,
        false,
        0,
        1,
        -1,
        2,
        6,
        1.5,
        -0.0,
        1e300,
        -1e300,
        2147483647.0,
        2147483648.0,
        1e9,
        1e9 + 1,
        4.5e15,
        QString(),
        QStringLiteral("Dense"),
        QStringLiteral("Output"),
        QStringLiteral("Input"),
        QStringLiteral("Mystery"),
        QStringLiteral("softmax"),
        QStringLiteral("none"),
        QStringLiteral("50"),
        QStringLiteral("torchcanvas-project"),
        QString(5000, QLatin1Char('w')),
        QString::fromUtf8("\xe2\x9c\x93 \xc3\xa9"),
        QString(QChar(0)),
        QJsonArray{},
        QJsonObject{},
        QJsonArray{1, 2, 3},
        QJsonObject{{"node", 1}, {"port", 0}},
        QJsonObject{{"id", 1}, {"type", "Dense"}},
        QJsonObject{{"x", 1}, {"y", 2}},
        deep,
    };
    return palette[random.bounded(int(palette.size()))];
}

QByteArray mutateJson(const QJsonObject& root, QRandomGenerator& random) {
    QJsonValue value = root;
    const int edits = 1 + random.bounded(3);
    for (int i = 0; i < edits; ++i) {
        QList<Path> paths;
        Path current;
        collectPaths(value, current, paths);
        const Path path = paths[random.bounded(int(paths.size()))];
        const Edit edit = static_cast<Edit>(random.bounded(4));
        value = edited(value, path, 0, edit, randomValue(random));
    }
    if (!value.isObject())
        return QJsonDocument(QJsonArray{value}).toJson();
    return QJsonDocument(value.toObject())
        .toJson(random.bounded(2) ? QJsonDocument::Compact : QJsonDocument::Indented);
}

// ---- Byte-level mutation --------------------------------------------------------------------

QByteArray mutateBytes(QByteArray data, QRandomGenerator& random) {
    static const QList<QByteArray> tokens = {"null",
                                             "-1",
                                             "0",
                                             "1e999",
                                             "-0",
                                             "4294967296",
                                             "1.5",
                                             "\"\"",
                                             "\"\\u0000\"",
                                             "[]",
                                             "{}",
                                             "true",
                                             ",",
                                             ":",
                                             "]",
                                             "}",
                                             "\"",
                                             "\\ud800",
                                             "{\"id\": 1}",
                                             "\xff\xfe",
                                             "\"Mystery\"",
                                             "[[[[[[[[",
                                             "\"version\": 9,"};
    const int operations = 1 + random.bounded(4);
    for (int i = 0; i < operations && !data.isEmpty(); ++i) {
        const int at = random.bounded(int(data.size()));
        switch (random.bounded(6)) {
        case 0:
            data[at] = char(data[at] ^ (1 << random.bounded(8)));
            break;
        case 1:
            data[at] = char(random.bounded(256));
            break;
        case 2:
            data.insert(at, char(random.bounded(256)));
            break;
        case 3:
            data.remove(at, 1 + random.bounded(16));
            break;
        case 4: {
            const int length = 1 + random.bounded(40);
            data.insert(random.bounded(int(data.size())), data.mid(at, length));
            break;
        }
        case 5:
            data.insert(at, tokens[random.bounded(int(tokens.size()))]);
            break;
        }
    }
    return data;
}

} // namespace

class TestProjectFuzz : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyTruncation();
    void randomByteMutations();
    void randomJsonMutations();
    void hostileStructures_data();
    void hostileStructures();
    void idSpaceExhaustion();

private:
    QByteArray m_example;
};

void TestProjectFuzz::initTestCase() {
    m_example = exampleBytes();
    QVERIFY(m_example.size() > 1000);
    Tally tally;
    QVERIFY(checkOutcome(m_example, tally, QStringLiteral("example")));
    QCOMPARE(tally.loaded, 1);
}

void TestProjectFuzz::everyTruncation() {
    QElapsedTimer timer;
    timer.start();
    Tally tally;
    for (int length = 0; length < m_example.size(); ++length) {
        const QByteArray truncated = m_example.left(length);
        QVERIFY2(checkOutcome(truncated, tally, QStringLiteral("truncated to %1").arg(length)),
                 qPrintable(QStringLiteral("truncated to %1 bytes").arg(length)));
        // Cut anywhere before the closing brace, the file cannot be a complete project.
        if (length < m_example.lastIndexOf('}'))
            QCOMPARE(tally.loaded, 0);
    }
    qInfo("%lld truncations: %d loaded, %d refused (%d of them JSON syntax errors) in %lld ms",
          qint64(m_example.size()), tally.loaded, tally.refused, tally.syntaxErrors,
          timer.elapsed());
    QCOMPARE(tally.loaded, 1); // only the cut of the final newline
}

void TestProjectFuzz::randomByteMutations() {
    constexpr int Iterations = 5000;
    QRandomGenerator random(0xC0FFEE);
    QElapsedTimer timer;
    timer.start();
    Tally tally;
    for (int i = 0; i < Iterations; ++i) {
        const QByteArray mutant = mutateBytes(m_example, random);
        if (!checkOutcome(mutant, tally, QStringLiteral("byte mutant %1").arg(i))) {
            QFile dump(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/fuzz-byte-failure.tcproj"));
            if (dump.open(QIODevice::WriteOnly))
                dump.write(mutant);
            QFAIL(qPrintable(QStringLiteral("byte mutant %1 broke an invariant; saved as %2")
                                 .arg(i)
                                 .arg(dump.fileName())));
        }
    }
    qInfo("%d byte mutations: %d loaded, %d refused (%d JSON syntax errors) in %lld ms", Iterations,
          tally.loaded, tally.refused, tally.syntaxErrors, timer.elapsed());
    // Both paths must have been exercised for the test to mean anything.
    QVERIFY(tally.loaded > Iterations / 50);
    QVERIFY(tally.refused > Iterations / 2);
}

void TestProjectFuzz::randomJsonMutations() {
    constexpr int Iterations = 5000;
    QRandomGenerator random(0xBEEF);
    const QJsonObject root = QJsonDocument::fromJson(m_example).object();
    QElapsedTimer timer;
    timer.start();
    Tally tally;
    for (int i = 0; i < Iterations; ++i) {
        const QByteArray mutant = mutateJson(root, random);
        if (!checkOutcome(mutant, tally, QStringLiteral("JSON mutant %1").arg(i))) {
            QFile dump(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/fuzz-json-failure.tcproj"));
            if (dump.open(QIODevice::WriteOnly))
                dump.write(mutant);
            QFAIL(qPrintable(QStringLiteral("JSON mutant %1 broke an invariant; saved as %2")
                                 .arg(i)
                                 .arg(dump.fileName())));
        }
    }
    qInfo("%d JSON mutations: %d loaded, %d refused in %lld ms", Iterations, tally.loaded,
          tally.refused, timer.elapsed());
    QCOMPARE(tally.syntaxErrors, 0); // these mutants are all well-formed JSON
    QVERIFY(tally.loaded > Iterations / 5);
    QVERIFY(tally.refused > Iterations / 20);
}

void TestProjectFuzz::hostileStructures_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("loads");

    const QByteArray head = R"({"format": "torchcanvas-project", "version": 1, "graph": )";
    // 20,000 nodes (issue 18) and graphs at Project::MaxNodes load, validate, save and reload
    // (linear time); one node or link more is refused before the graph is built.
    QTest::newRow("20000-node chain") << head + chainGraph(20'000) << true;
    QTest::newRow("chain at the node limit") << head + chainGraph(Project::MaxNodes) << true;
    QTest::newRow("chain over the node limit") << head + chainGraph(Project::MaxNodes + 1) << false;
    QTest::newRow("20000 links into one input") << head + fanInGraph(20'000) << true;
    QTest::newRow("fan-in at the node limit") << head + fanInGraph(Project::MaxNodes) << true;
    QTest::newRow("fan-in over the node limit")
        << head + fanInGraph(Project::MaxNodes + 1) << false;
    QByteArray tooManyLinks = "{\"nodes\": [{\"id\": 1, \"type\": \"Input\"}], \"links\": [";
    for (int i = 1; i <= Project::MaxLinks + 1; ++i)
        tooManyLinks += QStringLiteral("%1{\"id\": %2, \"from\": {\"node\": 1, \"port\": 0}, "
                                       "\"to\": {\"node\": 2, \"port\": 0}}")
                            .arg(i > 1 ? "," : "")
                            .arg(i)
                            .toUtf8();
    QTest::newRow("links over the limit") << head + tooManyLinks + "]}}" << false;

    QTest::newRow("megabyte type name") << head + "{\"nodes\": [{\"id\": 1, \"type\": \"" +
                                               QByteArray(1 << 20, 'T') + "\"}], \"links\": []}}"
                                        << true;
    QTest::newRow("megabyte parameter name")
        << head + "{\"nodes\": [{\"id\": 1, \"type\": \"Dense\", \"parameters\": {\"" +
               QByteArray(1 << 20, 'p') + "\": 1}}], \"links\": []}}"
        << true;
    QTest::newRow("deep parameter value")
        << head + "{\"nodes\": [{\"id\": 1, \"type\": \"Dense\", \"parameters\": {\"units\": " +
               QByteArray(1000, '[') + QByteArray(1000, ']') + "}}], \"links\": []}}"
        << true;
    QTest::newRow("NUL in strings")
        << head +
               R"({"nodes": [{"id": 1, "type": "De\u0000nse"}], "links": []}, "name": "a\u0000b"})"
        << true;
    QTest::newRow("raw NUL byte") << head + QByteArray("{\"nodes\": [\0]}}", 15) << false;
    QTest::newRow("lone surrogate")
        << head + R"({"nodes": [{"id": 1, "type": "\ud800"}], "links": []}})" << true;
    QTest::newRow("invalid UTF-8") << head + "{\"nodes\": [{\"id\": 1, \"type\": \"\xff\xfe\"}], "
                                             "\"links\": []}}"
                                   << false;
    QTest::newRow("maximum ids")
        << head +
               R"({"nodes": [{"id": 1000000000, "type": "Input"}, {"id": 999999999, "type": "Output"}], "links": [{"id": 1000000000, "from": {"node": 1000000000, "port": 0}, "to": {"node": 999999999, "port": 0}}]}})"
        << true;
    QTest::newRow("huge coordinates")
        << head +
               R"({"nodes": [{"id": 1, "type": "Input", "position": {"x": 1e308, "y": -1e308}}], "links": []}})"
        << true;
    QTest::newRow("overflowing coordinates")
        << head +
               R"({"nodes": [{"id": 1, "type": "Input", "position": {"x": 1e999, "y": 0}}], "links": []}})"
        << false;
}

void TestProjectFuzz::hostileStructures() {
    QFETCH(QByteArray, text);
    QFETCH(bool, loads);
    Tally tally;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(checkOutcome(text, tally, QString::fromLatin1(QTest::currentDataTag())));
    QCOMPARE(tally.loaded, loads ? 1 : 0);
    qInfo("%s: %lld bytes handled in %lld ms", QTest::currentDataTag(), qint64(text.size()),
          timer.elapsed());
}

void TestProjectFuzz::idSpaceExhaustion() {
    Project project;
    QString error;
    QVERIFY2(project.loadFromData(R"({"format": "torchcanvas-project", "version": 1, "graph":
        {"nodes": [{"id": 1000000000, "type": "Dense"}], "links": []}})",
                                  kName, &error),
             qPrintable(error));
    Graph& graph = project.graph();
    QCOMPARE(graph.nextNodeId(), MaxId + 1);
    QCOMPARE(graph.addNode(component::Dense), InvalidId); // refused, never wraps around
    QVERIFY(graph.paste(graph.fragment({MaxId}), {}, &error).isEmpty());
    QCOMPARE(error, QStringLiteral("the graph has run out of ids"));
    QCOMPARE(graph.nodeCount(), 1);
}

QTEST_GUILESS_MAIN(TestProjectFuzz)
#include "tst_projectfuzz.moc"
