// The model graph: ids, edits and their exact reversal, signals, link rules, JSON fragments.

#include "core/graph/Graph.h"
#include "core/graph/Validation.h"
#include "tst_graphhelpers.h"

#include <functional>
#include <limits>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtTest>

using namespace tc::graph;
using namespace tc::graph::testing;

namespace {

/// Records every signal of a graph as one line, in emission order.
class SignalLog : public QObject {
public:
    explicit SignalLog(Graph& graph) {
        connect(&graph, &Graph::nodeAdded, this, [this](int id) { add("nodeAdded", id); });
        connect(&graph, &Graph::nodeRemoved, this, [this](int id) { add("nodeRemoved", id); });
        connect(&graph, &Graph::linkAdded, this, [this](int id) { add("linkAdded", id); });
        connect(&graph, &Graph::linkRemoved, this, [this](int id) { add("linkRemoved", id); });
        connect(&graph, &Graph::parameterChanged, this,
                [this](int id, const QString& name, const QVariant& value) {
                    add("parameterChanged", id,
                        name + QLatin1Char('=') +
                            (value.isValid() ? value.toString() : QStringLiteral("<removed>")));
                });
        connect(&graph, &Graph::parametersReset, this,
                [this](int id) { add("parametersReset", id); });
        connect(&graph, &Graph::nodeMoved, this, [this](int id, const QPointF& position) {
            add("nodeMoved", id, QStringLiteral("%1,%2").arg(position.x()).arg(position.y()));
        });
        connect(&graph, &Graph::changed, this, [this] { lines.append(QStringLiteral("changed")); });
    }
    QStringList lines;

private:
    void add(const char* signal, int id, const QString& detail = {}) {
        QString line = QStringLiteral("%1(%2)").arg(QLatin1String(signal)).arg(id);
        if (!detail.isEmpty())
            line += QLatin1Char(' ') + detail;
        lines.append(line);
    }
};

/// Input → Conv2D → MaxPool2D → GlobalAvgPool → Dense → Output, and a loose Dropout.
QList<NodeId> buildSample(Graph& graph) {
    return build(
        graph,
        {{component::Input, {}},
         {component::Conv2D, {}},
         {component::MaxPool2D, {}},
         {component::GlobalAvgPool, {}},
         {component::Dense,
          {{QStringLiteral("units"), 3}, {QStringLiteral("activation"), QStringLiteral("none")}}},
         {component::Output, {}},
         {component::Dropout, {}}},
        {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}});
}

} // namespace

using Step = std::function<void(Graph&)>;
Q_DECLARE_METATYPE(Step)

class TestGraph : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void addNodeUsesDefaultsAndCanonicalTypes();
    void idsGrowAndAreNeverReused();
    void queries();
    void editsAreExactlyReversible_data();
    void editsAreExactlyReversible();
    void randomEditSequenceUndoesExactly();
    void removeNodeSignalsLinksFirst();
    void noSignalWhenNothingChanges();
    void canLink_data();
    void canLink();
    void addLinkRejectsWithReason();
    void insertLinkChecksStructureOnly_data();
    void insertLinkChecksStructureOnly();
    void insertNodeRejects_data();
    void insertNodeRejects();
    void topologicalOrder();
    void topologicalOrderWithCycle();
    void restoreIsAllOrNothing();
    void pasteGivesNewIdsAndKeepsInnerLinks();
    void nodeJsonRoundTrip();
    void nodeFromJsonRejects_data();
    void nodeFromJsonRejects();
    void loadJsonDropsDanglingLinksWithWarnings();
    void loadJsonFailureLeavesGraphUntouched();
    void clearEmitsForEverything();
    void variadicInputsGrowAsLinksArrive();
    void canLinkIntoVariadicInputs();
    void anyOutputFeedsSeveralNodes();
    void cycleThroughMergeNode();
};

void TestGraph::addNodeUsesDefaultsAndCanonicalTypes() {
    Graph graph;
    QSignalSpy added(&graph, &Graph::nodeAdded);
    const NodeId id = graph.addNode(component::Dense, QPointF(10, 20),
                                    {{QStringLiteral("units"), QVariant::fromValue<qlonglong>(2)},
                                     {QStringLiteral("extra"), QStringLiteral("kept")}});
    QCOMPARE(id, 1);
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.first().first().toInt(), id);
    const Node* node = graph.findNode(id);
    QVERIFY(node);
    QCOMPARE(node->type, QStringLiteral("Dense"));
    QCOMPARE(node->position, QPointF(10, 20));
    QCOMPARE(node->parameters.value(QStringLiteral("units")).metaType(),
             QMetaType::fromType<int>());
    QCOMPARE(node->parameters.value(QStringLiteral("units")).toInt(), 2);
    QCOMPARE(node->parameters.value(QStringLiteral("activation")).toString(),
             QStringLiteral("relu"));
    QCOMPARE(node->parameters.value(QStringLiteral("dropout")).metaType(),
             QMetaType::fromType<double>());
    QCOMPARE(node->parameters.value(QStringLiteral("batchNorm")).toBool(), false);
    QCOMPARE(node->parameters.value(QStringLiteral("extra")).toString(), QStringLiteral("kept"));

    // An unknown type is kept with its parameters as given.
    const NodeId unknown =
        graph.addNode(QStringLiteral("Transformer"), {}, {{QStringLiteral("heads"), 8}});
    QCOMPARE(graph.findNode(unknown)->parameters, (QVariantMap{{QStringLiteral("heads"), 8}}));
}

void TestGraph::idsGrowAndAreNeverReused() {
    Graph graph;
    const NodeId a = graph.addNode(component::Input);
    const NodeId b = graph.addNode(component::Dense);
    const NodeId c = graph.addNode(component::Output);
    QCOMPARE((QList<NodeId>{a, b, c}), (QList<NodeId>{1, 2, 3}));
    const LinkId first = graph.addLink({a, 0}, {b, 0});
    QCOMPARE(first, 1);
    graph.removeNode(c);
    graph.removeLink(first);
    QCOMPARE(graph.addNode(component::Output), 4); // 3 is not handed out again
    QCOMPARE(graph.addLink({a, 0}, {b, 0}), 2);
    // Restoring an old id (undo) is allowed, and does not lower the counter.
    QVERIFY(graph.insertNode(Node{3, component::Dropout, {}, {}}));
    QCOMPARE(graph.nextNodeId(), 5);
    QVERIFY(graph.insertNode(Node{10, component::Dropout, {}, {}}));
    QCOMPARE(graph.nextNodeId(), 11);
}

void TestGraph::queries() {
    Graph graph;
    const QList<NodeId> ids = buildSample(graph);
    QCOMPARE(graph.nodeCount(), 7);
    QCOMPARE(graph.linkCount(), 5);
    QCOMPARE(graph.nodeIds(), (QList<NodeId>{1, 2, 3, 4, 5, 6, 7}));
    QCOMPARE(graph.linkIds(), (QList<LinkId>{1, 2, 3, 4, 5}));
    QCOMPARE(graph.inputLinks(ids[1]), (QList<LinkId>{1}));
    QCOMPARE(graph.outputLinks(ids[1]), (QList<LinkId>{2}));
    QCOMPARE(graph.linksOf(ids[1]), (QList<LinkId>{1, 2}));
    QCOMPARE(graph.linksOf(ids[6]), QList<LinkId>{});
    QCOMPARE(graph.linksInto({ids[5], 0}), (QList<LinkId>{5}));
    QCOMPARE(graph.nodesOfType(component::Dense), (QList<NodeId>{ids[4]}));
    QVERIFY(graph.reaches(ids[0], ids[5]));
    QVERIFY(!graph.reaches(ids[5], ids[0]));
    QVERIFY(graph.reaches(ids[2], ids[2]));
    QVERIFY(!graph.reaches(ids[0], ids[6]));
    QVERIFY(!graph.reaches(ids[0], 99));
    QCOMPARE(graph.node(99).id, InvalidId);
    QCOMPARE(graph.link(99).id, InvalidId);
    QVERIFY(!graph.findNode(99));
    QVERIFY(!graph.findLink(99));
    const Link link = graph.link(3);
    QCOMPARE(link.from, (PortRef{ids[2], 0}));
    QCOMPARE(link.to, (PortRef{ids[3], 0}));
}

// Each row applies one edit to the sample graph and then its documented inverse; the graph
// must come back exactly (values, value types, links), and a redo must reproduce the edited
// state exactly.
void TestGraph::editsAreExactlyReversible_data() {
    QTest::addColumn<Step>("edit");
    QTest::addColumn<Step>("undo");
    QTest::addColumn<Step>("redo");
    QTest::addColumn<QStringList>("signals");

    auto shared = std::make_shared<QVariantMap>(); // what an undo command would store
    QTest::newRow("addNode") << Step([=](Graph& g) {
        (*shared)["id"] = g.addNode(component::BatchNorm, QPointF(5, 6));
        (*shared)["json"] = Graph::nodeToJson(g.node((*shared)["id"].toInt()));
    }) << Step([=](Graph& g) {
        g.removeNode((*shared)["id"].toInt());
    }) << Step([=](Graph& g) {
        QVERIFY(g.restore(QJsonObject{{"nodes", QJsonArray{(*shared)["json"].toJsonObject()}},
                                      {"links", QJsonArray{}}}));
    }) << QStringList{"nodeAdded(8)", "changed"};
    QTest::newRow("removeNode with links")
        << Step([=](Graph& g) { (*shared)["fragment"] = g.removeNode(3); })
        << Step([=](Graph& g) { QVERIFY(g.restore((*shared)["fragment"].toJsonObject())); })
        << Step([=](Graph& g) { g.removeNode(3); })
        << QStringList{"linkRemoved(2)", "linkRemoved(3)", "nodeRemoved(3)", "changed"};
    QTest::newRow("addLink") << Step([=](Graph& g) {
        QString reason;
        (*shared)["id"] = g.addLink({1, 0}, {7, 0}, &reason);
        QVERIFY2(reason.isEmpty(), qPrintable(reason));
    }) << Step([=](Graph& g) {
        g.removeLink((*shared)["id"].toInt());
    }) << Step([=](Graph& g) {
        QVERIFY(g.insertLink(Link{(*shared)["id"].toInt(), {1, 0}, {7, 0}}));
    }) << QStringList{"linkAdded(6)", "changed"};
    QTest::newRow("removeLink") << Step([=](Graph& g) {
        const auto link = g.removeLink(4);
        QVERIFY(link);
        (*shared)["from"] = link->from.node;
        (*shared)["to"] = link->to.node;
    }) << Step([=](Graph& g) {
        QVERIFY(
            g.insertLink(Link{4, {(*shared)["from"].toInt(), 0}, {(*shared)["to"].toInt(), 0}}));
    }) << Step([=](Graph& g) { g.removeLink(4); })
                                << QStringList{"linkRemoved(4)", "changed"};
    QTest::newRow("setParameter existing")
        << Step(
               [=](Graph& g) { (*shared)["old"] = g.setParameter(5, QStringLiteral("units"), 10); })
        << Step([=](Graph& g) { g.setParameter(5, QStringLiteral("units"), (*shared)["old"]); })
        << Step([=](Graph& g) { g.setParameter(5, QStringLiteral("units"), 10); })
        << QStringList{"parameterChanged(5) units=10", "changed"};
    QTest::newRow("setParameter new key")
        << Step([=](Graph& g) {
               (*shared)["old"] = g.setParameter(2, QStringLiteral("note"), QStringLiteral("x"));
           })
        << Step([=](Graph& g) { g.setParameter(2, QStringLiteral("note"), (*shared)["old"]); })
        << Step([=](Graph& g) { g.setParameter(2, QStringLiteral("note"), QStringLiteral("x")); })
        << QStringList{"parameterChanged(2) note=x", "changed"};
    QTest::newRow("setParameter removes key")
        << Step([=](Graph& g) {
               (*shared)["old"] = g.setParameter(2, QStringLiteral("stride"), QVariant());
           })
        << Step([=](Graph& g) { g.setParameter(2, QStringLiteral("stride"), (*shared)["old"]); })
        << Step([=](Graph& g) { g.setParameter(2, QStringLiteral("stride"), QVariant()); })
        << QStringList{"parameterChanged(2) stride=<removed>", "changed"};
    QTest::newRow("setParameter invalid value kept") << Step([=](Graph& g) {
        (*shared)["old"] = g.setParameter(3, QStringLiteral("poolSize"), QStringLiteral("big"));
    }) << Step([=](Graph& g) {
        g.setParameter(3, QStringLiteral("poolSize"), (*shared)["old"]);
    }) << Step([=](Graph& g) {
        g.setParameter(3, QStringLiteral("poolSize"), QStringLiteral("big"));
    }) << QStringList{"parameterChanged(3) poolSize=big", "changed"};
    QTest::newRow("setParameters") << Step([=](Graph& g) {
        (*shared)["old"] = g.setParameters(5, {{QStringLiteral("units"), 7}});
    }) << Step([=](Graph& g) { g.setParameters(5, (*shared)["old"].toMap()); })
                                   << Step([=](Graph& g) {
                                          g.setParameters(5, {{QStringLiteral("units"), 7}});
                                      })
                                   << QStringList{"parametersReset(5)", "changed"};
    QTest::newRow("moveNode") << Step([=](Graph& g) {
        (*shared)["old"] = g.moveNode(4, QPointF(-12.5, 1e6));
    }) << Step([=](Graph& g) { g.moveNode(4, (*shared)["old"].toPointF()); })
                              << Step([=](Graph& g) { g.moveNode(4, QPointF(-12.5, 1e6)); })
                              << QStringList{"nodeMoved(4) -12.5,1e+06", "changed"};
    QTest::newRow("paste") << Step([=](Graph& g) {
        const QList<NodeId> ids = g.paste(g.fragment({2, 3, 4}), QPointF(0, 100));
        QCOMPARE(ids.size(), 3);
        (*shared)["fragment"] = g.fragment(ids);
        (*shared)["ids"] = QVariant::fromValue(ids);
    }) << Step([=](Graph& g) {
        for (NodeId id : (*shared)["ids"].value<QList<NodeId>>())
            g.removeNode(id);
    }) << Step([=](Graph& g) { QVERIFY(g.restore((*shared)["fragment"].toJsonObject())); })
                           << QStringList{"nodeAdded(8)", "nodeAdded(9)", "nodeAdded(10)",
                                          "linkAdded(6)", "linkAdded(7)", "changed"};
    QTest::newRow("clear") << Step([=](Graph& g) {
        (*shared)["fragment"] = g.toJson();
        g.clear();
    }) << Step([=](Graph& g) { QVERIFY(g.restore((*shared)["fragment"].toJsonObject())); })
                           << Step([=](Graph& g) { g.clear(); })
                           << QStringList{"linkRemoved(1)", "linkRemoved(2)", "linkRemoved(3)",
                                          "linkRemoved(4)", "linkRemoved(5)", "nodeRemoved(1)",
                                          "nodeRemoved(2)", "nodeRemoved(3)", "nodeRemoved(4)",
                                          "nodeRemoved(5)", "nodeRemoved(6)", "nodeRemoved(7)",
                                          "changed"};
}

void TestGraph::editsAreExactlyReversible() {
    QFETCH(Step, edit);
    QFETCH(Step, undo);
    QFETCH(Step, redo);
    QFETCH(QStringList, signals);

    Graph graph;
    buildSample(graph);
    const QByteArray before = state(graph);

    SignalLog log(graph);
    edit(graph);
    if (QTest::currentTestFailed())
        return;
    const QByteArray after = state(graph);
    QVERIFY2(after != before, "the edit changed nothing");
    QCOMPARE(log.lines, signals);

    undo(graph);
    QCOMPARE(state(graph), before);
    redo(graph);
    QCOMPARE(state(graph), after);
    undo(graph);
    QCOMPARE(state(graph), before);
}

// A long random session: every edit is recorded with its inverse the way an undo stack would,
// then everything is undone in reverse order. Each intermediate state must come back exactly.
void TestGraph::randomEditSequenceUndoesExactly() {
    QRandomGenerator random(20240601);
    Graph graph;
    buildSample(graph);
    const QStringList types = {component::Input,     component::ResNet,        component::Dense,
                               component::Dropout,   component::Flatten,       component::Conv2D,
                               component::MaxPool2D, component::GlobalAvgPool, component::BatchNorm,
                               component::Output};
    QList<std::function<void()>> undoStack;
    QList<QByteArray> states;
    int accepted = 0;
    int rejectedLinks = 0;
    constexpr int Edits = 1500;
    for (int i = 0; i < Edits; ++i) {
        states.append(state(graph));
        const QList<NodeId> nodes = graph.nodeIds();
        const QList<LinkId> links = graph.linkIds();
        const auto pickNode = [&] {
            return nodes.isEmpty() ? InvalidId : nodes[random.bounded(int(nodes.size()))];
        };
        switch (random.bounded(7)) {
        case 0: {
            const NodeId id = graph.addNode(types[random.bounded(int(types.size()))],
                                            QPointF(random.bounded(1000), random.bounded(1000)));
            undoStack.append([&graph, id] { graph.removeNode(id); });
            break;
        }
        case 1: {
            const NodeId id = pickNode();
            if (id == InvalidId) {
                states.removeLast();
                continue;
            }
            const QJsonObject fragment = graph.removeNode(id);
            undoStack.append([&graph, fragment] { QVERIFY(graph.restore(fragment)); });
            break;
        }
        case 2:
        case 3: {
            const NodeId from = pickNode();
            const NodeId to = pickNode();
            QString reason;
            const LinkId id = graph.addLink({from, 0}, {to, 0}, &reason);
            if (id == InvalidId) {
                QVERIFY(!reason.isEmpty());
                ++rejectedLinks;
                states.removeLast();
                continue;
            }
            undoStack.append([&graph, id] { graph.removeLink(id); });
            break;
        }
        case 4: {
            if (links.isEmpty()) {
                states.removeLast();
                continue;
            }
            const auto link = graph.removeLink(links[random.bounded(int(links.size()))]);
            QVERIFY(link);
            const Link copy = *link;
            undoStack.append([&graph, copy] { QVERIFY(graph.insertLink(copy)); });
            break;
        }
        case 5: {
            const NodeId id = pickNode();
            if (id == InvalidId) {
                states.removeLast();
                continue;
            }
            const QStringList names =
                graph.findNode(id)->parameters.keys() + QStringList{QStringLiteral("custom")};
            const QString name = names[random.bounded(int(names.size()))];
            const QVariantList values = {QVariant(), 1,
                                         2.5,        QStringLiteral("relu"),
                                         true,       QVariant::fromValue<qlonglong>(64)};
            const QVariant old =
                graph.setParameter(id, name, values[random.bounded(int(values.size()))]);
            undoStack.append([&graph, id, name, old] { graph.setParameter(id, name, old); });
            break;
        }
        case 6: {
            const NodeId id = pickNode();
            if (id == InvalidId) {
                states.removeLast();
                continue;
            }
            const QPointF old =
                graph.moveNode(id, QPointF(random.bounded(2000) - 1000, random.bounded(500)));
            undoStack.append([&graph, id, old] { graph.moveNode(id, old); });
            break;
        }
        }
        ++accepted;
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(undoStack.size(), states.size());
    while (!undoStack.isEmpty()) {
        undoStack.takeLast()();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(state(graph), states.takeLast());
    }
    qInfo("%d random edits applied and undone (%d link attempts rejected with a reason)", accepted,
          rejectedLinks);
    QVERIFY(accepted > Edits / 2);
    QVERIFY(rejectedLinks > 0);
}

void TestGraph::removeNodeSignalsLinksFirst() {
    Graph graph;
    buildSample(graph);
    SignalLog log(graph);
    const QJsonObject fragment = graph.removeNode(5);
    QCOMPARE(log.lines,
             (QStringList{"linkRemoved(4)", "linkRemoved(5)", "nodeRemoved(5)", "changed"}));
    QCOMPARE(fragment.value(QStringLiteral("nodes")).toArray().size(), 1);
    QCOMPARE(fragment.value(QStringLiteral("links")).toArray().size(), 2);
    QVERIFY(graph.removeNode(5).isEmpty()); // already gone
    QVERIFY(!graph.removeLink(4));
}

void TestGraph::noSignalWhenNothingChanges() {
    Graph graph;
    buildSample(graph);
    SignalLog log(graph);
    QCOMPARE(graph.setParameter(5, QStringLiteral("units"), 3).toInt(), 3);
    // The same value given as another numeric type still changes nothing once coerced.
    graph.setParameter(5, QStringLiteral("units"), QVariant::fromValue<qlonglong>(3));
    graph.setParameter(5, QStringLiteral("missing"), QVariant());
    graph.moveNode(5, graph.findNode(5)->position);
    graph.moveNode(5, QPointF(std::numeric_limits<double>::quiet_NaN(), 0));
    graph.setParameter(99, QStringLiteral("units"), 1);
    graph.moveNode(99, QPointF(1, 1));
    QCOMPARE(log.lines, QStringList{});
}

void TestGraph::canLink_data() {
    QTest::addColumn<QList<NodeSpec>>("nodes");
    QTest::addColumn<QList<QPair<int, int>>>("links");
    QTest::addColumn<int>("fromIndex");
    QTest::addColumn<int>("fromPort");
    QTest::addColumn<int>("toIndex");
    QTest::addColumn<int>("toPort");
    QTest::addColumn<QString>("reason"); // empty: allowed

    const NodeSpec input{component::Input, {}};
    const NodeSpec resnet{component::ResNet, {}};
    const NodeSpec resnetMap{component::ResNet, {{"pooling", "none"}}};
    const NodeSpec dense{component::Dense, {{"units", 2}, {"activation", "none"}}};
    const NodeSpec conv{component::Conv2D, {}};
    const NodeSpec output{component::Output, {}};
    const NodeSpec unknown{QStringLiteral("Mystery"), {}};
    using Links = QList<QPair<int, int>>;

    QTest::newRow("allowed") << QList<NodeSpec>{input, resnet} << Links{} << 0 << 0 << 1 << 0
                             << QString();
    QTest::newRow("self link") << QList<NodeSpec>{dense} << Links{} << 0 << 0 << 0 << 0
                               << "a component cannot be linked to itself";
    QTest::newRow("missing node") << QList<NodeSpec>{dense} << Links{} << 0 << 0 << 5 << 0
                                  << "there is no node #-1";
    QTest::newRow("no such output") << QList<NodeSpec>{input, resnet} << Links{} << 0 << 1 << 1 << 0
                                    << "Input 3\u00d7224\u00d7224 (#1) has no output 1";
    QTest::newRow("output has no outputs") << QList<NodeSpec>{output, dense} << Links{} << 0 << 0
                                           << 1 << 0 << "Output (#1) has no output 0";
    QTest::newRow("input has no inputs") << QList<NodeSpec>{dense, input} << Links{} << 0 << 0 << 1
                                         << 0 << "Input 3\u00d7224\u00d7224 (#2) has no input 0";
    QTest::newRow("occupied input")
        << QList<NodeSpec>{input, input, resnet} << Links{{0, 2}} << 1 << 0 << 2 << 0
        << "input 'in' of ResNet50 (#3) is already connected; remove that link first";
    QTest::newRow("duplicate") << QList<NodeSpec>{input, resnet} << Links{{0, 1}} << 0 << 0 << 1
                               << 0
                               << "input 'in' of ResNet50 (#2) is already connected; remove that "
                                  "link first";
    QTest::newRow("cycle") << QList<NodeSpec>{dense, dense, dense} << Links{{0, 1}, {1, 2}} << 2
                           << 0 << 0 << 0 << "this link would create a cycle";
    QTest::newRow("vector into Conv2D")
        << QList<NodeSpec>{input, resnet, conv} << Links{{0, 1}} << 1 << 0 << 2 << 0
        << "Conv2D needs an image-like input [C, H, W], but ResNet50 (#2) gives a vector [2048]";
    QTest::newRow("Dense output into Conv2D (declared kind)")
        << QList<NodeSpec>{dense, conv} << Links{} << 0 << 0 << 1 << 0
        << "Conv2D needs an image-like input [C, H, W], but Dense 2 (#1) gives a vector";
    QTest::newRow("feature map into Output")
        << QList<NodeSpec>{input, resnetMap, output} << Links{{0, 1}} << 1 << 0 << 2 << 0
        << "Output needs a vector [N], but ResNet50 (#2) gives an image-like tensor [2048, 7, 7]; "
           "add Flatten or GlobalAvgPool between them";
    QTest::newRow("image into Output")
        << QList<NodeSpec>{input, output} << Links{} << 0 << 0 << 1 << 0
        << "Output needs a vector [N], but Input 3\u00d7224\u00d7224 "
           "(#1) gives an image-like tensor [3, 224, 224]; add "
           "Flatten or GlobalAvgPool between them";
    QTest::newRow("feature map into Conv2D") << QList<NodeSpec>{input, resnetMap, conv}
                                             << Links{{0, 1}} << 1 << 0 << 2 << 0 << QString();
    QTest::newRow("image into Dense")
        << QList<NodeSpec>{input, dense} << Links{} << 0 << 0 << 1 << 0 << QString();
    QTest::newRow("unknown component") << QList<NodeSpec>{input, unknown} << Links{} << 0 << 0 << 1
                                       << 0 << "Mystery (#2) is an unknown component";
}

void TestGraph::canLink() {
    QFETCH(QList<NodeSpec>, nodes);
    using Links = QList<QPair<int, int>>;
    QFETCH(Links, links);
    QFETCH(int, fromIndex);
    QFETCH(int, fromPort);
    QFETCH(int, toIndex);
    QFETCH(int, toPort);
    QFETCH(QString, reason);

    Graph graph;
    const QList<NodeId> ids = build(graph, nodes, links);
    QCOMPARE(graph.linkCount(), links.size());
    const PortRef from{ids.value(fromIndex, InvalidId), fromPort};
    const PortRef to{ids.value(toIndex, InvalidId), toPort};
    QCOMPARE(graph.canLink(from, to), reason);
}

void TestGraph::addLinkRejectsWithReason() {
    Graph graph;
    const QList<NodeId> ids = build(graph, {{component::Dense, {}}, {component::Dense, {}}}, {});
    QVERIFY(graph.addLink({ids[0], 0}, {ids[1], 0}) != InvalidId);
    QSignalSpy added(&graph, &Graph::linkAdded);
    QString reason;
    QCOMPARE(graph.addLink({ids[1], 0}, {ids[0], 0}, &reason), InvalidId);
    QCOMPARE(reason, QStringLiteral("this link would create a cycle"));
    QCOMPARE(added.count(), 0);
    QCOMPARE(graph.linkCount(), 1);
}

void TestGraph::insertLinkChecksStructureOnly_data() {
    QTest::addColumn<int>("id");
    QTest::addColumn<int>("fromNode");
    QTest::addColumn<int>("fromPort");
    QTest::addColumn<int>("toNode");
    QTest::addColumn<int>("toPort");
    QTest::addColumn<QString>("reason");
    // Nodes: 1 Input, 2 Dense, 3 Dense, 4 Mystery; link 1: 1 → 2.
    QTest::newRow("cycle accepted") << 7 << 3 << 0 << 2 << 0 << QString();
    QTest::newRow("second link into an input accepted") << 7 << 3 << 0 << 2 << 0 << QString();
    QTest::newRow("id taken") << 1 << 2 << 0 << 3 << 0
                              << QStringLiteral("link id 1 is already in use");
    QTest::newRow("id zero") << 0 << 2 << 0 << 3 << 0
                             << QStringLiteral("link id 0 is out of range");
    QTest::newRow("missing start")
        << 7 << 9 << 0 << 3 << 0 << QStringLiteral("it starts at node #9, which does not exist");
    QTest::newRow("missing end") << 7 << 2 << 0 << 9 << 0
                                 << QStringLiteral("it ends at node #9, which does not exist");
    QTest::newRow("self") << 7 << 2 << 0 << 2 << 0 << QStringLiteral("it links node #2 to itself");
    QTest::newRow("bad output port")
        << 7 << 2 << 1 << 3 << 0 << QStringLiteral("Dense #2 has no output port 1");
    QTest::newRow("bad input port")
        << 7 << 2 << 0 << 3 << 2 << QStringLiteral("Dense #3 has no input port 2");
    QTest::newRow("negative port")
        << 7 << 2 << -1 << 3 << 0 << QStringLiteral("Dense #2 has no output port -1");
    QTest::newRow("duplicate") << 7 << 1 << 0 << 2 << 0 << QStringLiteral("it duplicates link 1");
    QTest::newRow("unknown component port 5 kept") << 7 << 2 << 0 << 4 << 5 << QString();
    QTest::newRow("unknown component port 64")
        << 7 << 2 << 0 << 4 << 64 << QStringLiteral("Mystery #4 has no input port 64");
}

void TestGraph::insertLinkChecksStructureOnly() {
    QFETCH(int, id);
    QFETCH(int, fromNode);
    QFETCH(int, fromPort);
    QFETCH(int, toNode);
    QFETCH(int, toPort);
    QFETCH(QString, reason);
    Graph graph;
    build(graph,
          {{component::Input, {}},
           {component::Dense, {}},
           {component::Dense, {}},
           {QStringLiteral("Mystery"), {}}},
          {{0, 1}});
    if (QByteArray(QTest::currentDataTag()) == "cycle accepted")
        QVERIFY(graph.insertLink(Link{6, {2, 0}, {3, 0}}));
    QString why;
    const bool inserted = graph.insertLink(Link{id, {fromNode, fromPort}, {toNode, toPort}}, &why);
    QCOMPARE(why, reason);
    QCOMPARE(inserted, reason.isEmpty());
    QCOMPARE(graph.containsLink(id) && graph.link(id).from.node == fromNode, reason.isEmpty());
}

void TestGraph::insertNodeRejects_data() {
    QTest::addColumn<int>("id");
    QTest::addColumn<QString>("type");
    QTest::addColumn<double>("x");
    QTest::addColumn<QString>("reason");
    QTest::newRow("taken") << 1 << "Dense" << 0.0 << "node id 1 is already in use";
    QTest::newRow("zero") << 0 << "Dense" << 0.0 << "node id 0 is out of range 1 to 1000000000";
    QTest::newRow("too large") << MaxId + 1 << "Dense" << 0.0
                               << "node id 1000000001 is out of range 1 to 1000000000";
    QTest::newRow("no type") << 5 << "" << 0.0 << "node #5 has no component type";
    QTest::newRow("infinite position") << 5 << "Dense" << std::numeric_limits<double>::infinity()
                                       << "node #5 has a position that is not a finite number";
}

void TestGraph::insertNodeRejects() {
    QFETCH(int, id);
    QFETCH(QString, type);
    QFETCH(double, x);
    QFETCH(QString, reason);
    Graph graph;
    graph.addNode(component::Input);
    QSignalSpy added(&graph, &Graph::nodeAdded);
    QString why;
    QVERIFY(!graph.insertNode(Node{id, type, {}, QPointF(x, 0)}, &why));
    QCOMPARE(why, reason);
    QCOMPARE(added.count(), 0);
    QCOMPARE(graph.nodeCount(), 1);
}

void TestGraph::topologicalOrder() {
    Graph graph;
    // Ids deliberately out of flow order: 5 → 3 → 1, 4 → 2 (two chains), 6 alone.
    for (int id = 1; id <= 6; ++id)
        QVERIFY(graph.insertNode(Node{id, component::Dense, {}, {}}));
    QVERIFY(graph.insertLink(Link{1, {5, 0}, {3, 0}}));
    QVERIFY(graph.insertLink(Link{2, {3, 0}, {1, 0}}));
    QVERIFY(graph.insertLink(Link{3, {4, 0}, {2, 0}}));
    bool acyclic = false;
    const QList<NodeId> order = graph.topologicalOrder(&acyclic);
    QVERIFY(acyclic);
    // Ready nodes in id order: 4, 5, 6 first; 2 becomes ready after 4, 3 after 5, 1 after 3.
    QCOMPARE(order, (QList<NodeId>{4, 2, 5, 3, 1, 6}));
    for (LinkId id : graph.linkIds()) {
        const Link link = graph.link(id);
        QVERIFY(order.indexOf(link.from.node) < order.indexOf(link.to.node));
    }
}

void TestGraph::topologicalOrderWithCycle() {
    Graph graph;
    const QList<NodeId> ids = build(graph,
                                    {{component::Input, {}},
                                     {component::Dense, {}},
                                     {component::Dense, {}},
                                     {component::Dense, {}},
                                     {component::Output, {}}},
                                    {{0, 1}, {1, 2}, {2, 1}, {2, 3}, {3, 4}});
    bool acyclic = true;
    const QList<NodeId> order = graph.topologicalOrder(&acyclic);
    QVERIFY(!acyclic);
    QCOMPARE(order, (QList<NodeId>{ids[0]})); // everything behind the cycle is held back
}

void TestGraph::restoreIsAllOrNothing() {
    Graph graph;
    buildSample(graph);
    const QJsonObject fragment = graph.removeNode(3);
    QVERIFY(graph.insertNode(Node{3, component::Flatten, {}, {}})); // takes the id back
    const QByteArray before = state(graph);
    QSignalSpy changed(&graph, &Graph::changed);
    QString error;
    QVERIFY(!graph.restore(fragment, &error));
    QCOMPARE(error, QStringLiteral("node id 3 is already in use"));
    QCOMPARE(state(graph), before);
    QCOMPARE(changed.count(), 0);

    // A link to a node that is neither in the graph nor in the fragment.
    graph.removeNode(3);
    graph.removeNode(4);
    QVERIFY(!graph.restore(fragment, &error));
    QCOMPARE(error, QStringLiteral("link 3: it ends at node #4, which does not exist"));
    QVERIFY(!graph.containsNode(3));

    QVERIFY(!graph.restore(QJsonObject{{"nodes", 1}}, &error));
    QCOMPARE(error, QStringLiteral("nodes must be an array"));
}

void TestGraph::pasteGivesNewIdsAndKeepsInnerLinks() {
    Graph graph;
    buildSample(graph);
    const QJsonObject copied = graph.fragment({3, 2, 4, 3}); // unordered, duplicated
    QCOMPARE(copied.value(QStringLiteral("nodes")).toArray().size(), 3);
    QCOMPARE(copied.value(QStringLiteral("links")).toArray().size(), 2); // 2→3, 3→4 only

    QSignalSpy added(&graph, &Graph::nodeAdded);
    const QList<NodeId> ids = graph.paste(copied, QPointF(10, 50));
    QCOMPARE(ids, (QList<NodeId>{8, 9, 10}));
    QCOMPARE(added.count(), 3);
    QCOMPARE(graph.findNode(8)->type, QStringLiteral("Conv2D"));
    QCOMPARE(graph.findNode(8)->position, graph.findNode(2)->position + QPointF(10, 50));
    QCOMPARE(graph.findNode(9)->parameters, graph.findNode(3)->parameters);
    QCOMPARE(graph.linkCount(), 7);
    QCOMPARE(graph.link(6).from.node, 8);
    QCOMPARE(graph.link(6).to.node, 9);
    QCOMPARE(graph.link(7).from.node, 9);
    QCOMPARE(graph.link(7).to.node, 10);

    // Links leading out of the selection are dropped.
    const QJsonObject withOuter =
        QJsonObject{{"nodes", QJsonArray{Graph::nodeToJson(graph.node(5))}},
                    {"links", QJsonArray{Graph::linkToJson(graph.link(4))}}};
    QCOMPARE(graph.paste(withOuter).size(), 1);
    QCOMPARE(graph.linkCount(), 7);

    QString error;
    QVERIFY(graph.paste(QJsonObject{{"nodes", QJsonArray{1}}, {"links", QJsonArray{}}}, {}, &error)
                .isEmpty());
    QCOMPARE(error, QStringLiteral("nodes[0] must be an object"));
}

void TestGraph::nodeJsonRoundTrip() {
    const Node node{7,
                    component::Dense,
                    {{QStringLiteral("units"), 12},
                     {QStringLiteral("dropout"), 0.25},
                     {QStringLiteral("batchNorm"), true},
                     {QStringLiteral("activation"), QStringLiteral("gelu")},
                     {QStringLiteral("unknown"), QVariantList{1, QStringLiteral("a")}}},
                    QPointF(-3.5, 1e9)};
    const QJsonObject json = Graph::nodeToJson(node);
    QCOMPARE(JsonText::write(json),
             QByteArray("{\n"
                        "    \"id\": 7,\n"
                        "    \"parameters\": {\n"
                        "        \"activation\": \"gelu\",\n"
                        "        \"batchNorm\": true,\n"
                        "        \"dropout\": 0.25,\n"
                        "        \"units\": 12,\n"
                        "        \"unknown\": [1, \"a\"]\n"
                        "    },\n"
                        "    \"position\": {\"x\": -3.5, \"y\": 1000000000},\n"
                        "    \"type\": \"Dense\"\n"
                        "}\n"));
    QString error;
    const auto back = Graph::nodeFromJson(json, QStringLiteral("node"), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->id, node.id);
    QCOMPARE(back->type, node.type);
    QCOMPARE(back->position, node.position);
    QCOMPARE(back->parameters.value(QStringLiteral("units")).metaType(),
             QMetaType::fromType<int>());
    QCOMPARE(back->parameters, node.parameters);

    const Link link{3, {1, 0}, {2, 0}};
    const auto linkBack = Graph::linkFromJson(Graph::linkToJson(link), QStringLiteral("l"), &error);
    QVERIFY(linkBack);
    QCOMPARE(*linkBack, link);
}

void TestGraph::nodeFromJsonRejects_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not object") << QByteArray("[1]") << "n must be an object";
    QTest::newRow("no id") << QByteArray(R"({"type": "Dense"})")
                           << "n.id must be a whole number from 1 to 1000000000";
    QTest::newRow("fractional id") << QByteArray(R"({"id": 1.5, "type": "Dense"})")
                                   << "n.id must be a whole number from 1 to 1000000000";
    QTest::newRow("string id") << QByteArray(R"({"id": "1", "type": "Dense"})")
                               << "n.id must be a whole number from 1 to 1000000000";
    QTest::newRow("huge id") << QByteArray(R"({"id": 1e300, "type": "Dense"})")
                             << "n.id must be a whole number from 1 to 1000000000";
    QTest::newRow("no type") << QByteArray(R"({"id": 1})")
                             << "n.type must be a component name such as \"Dense\"";
    QTest::newRow("blank type") << QByteArray(R"({"id": 1, "type": "  "})")
                                << "n.type must be a component name such as \"Dense\"";
    QTest::newRow("position array")
        << QByteArray(R"({"id": 1, "type": "Dense", "position": [1, 2]})")
        << "n.position must be {\"x\": number, \"y\": number}";
    QTest::newRow("position string")
        << QByteArray(R"({"id": 1, "type": "Dense", "position": {"x": "1", "y": 2}})")
        << "n.position must be {\"x\": number, \"y\": number}";
    QTest::newRow("parameters array")
        << QByteArray(R"({"id": 1, "type": "Dense", "parameters": []})")
        << "n.parameters must be an object";
}

void TestGraph::nodeFromJsonRejects() {
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]");
    QVERIFY(document.isArray());
    QString message;
    QVERIFY(!Graph::nodeFromJson(document.array().at(0), QStringLiteral("n"), &message));
    QCOMPARE(message, error);
}

void TestGraph::loadJsonDropsDanglingLinksWithWarnings() {
    const QJsonObject json = QJsonDocument::fromJson(R"({
        "nodes": [{"id": 1, "type": "Input"}, {"id": 2, "type": "Dense"}],
        "links": [
            {"id": 1, "from": {"node": 1, "port": 0}, "to": {"node": 2, "port": 0}},
            {"id": 2, "from": {"node": 2, "port": 0}, "to": {"node": 3, "port": 0}},
            {"id": 3, "from": {"node": 1, "port": 0}, "to": {"node": 2, "port": 0}},
            {"id": 4, "from": {"node": 2, "port": 0}, "to": {"node": 1, "port": 9}}
        ]})")
                                 .object();
    Graph graph;
    QString error;
    QStringList warnings;
    QVERIFY2(graph.loadJson(json, QStringLiteral("graph"), &error, &warnings), qPrintable(error));
    QCOMPARE(graph.nodeCount(), 2);
    QCOMPARE(graph.linkIds(), (QList<LinkId>{1}));
    QCOMPARE(warnings,
             (QStringList{
                 "graph.links[1] (link 2) was dropped: it ends at node #3, which does not exist",
                 "graph.links[2] (link 3) was dropped: it duplicates an earlier link",
                 "graph.links[3] (link 4) was dropped: Input #1 has no input port 9"}));
    // Loaded positions default to the origin, parameters to what the file says (nothing).
    QCOMPARE(graph.findNode(2)->position, QPointF());
    QVERIFY(graph.findNode(2)->parameters.isEmpty());
    QCOMPARE(graph.nextNodeId(), 3);
    QCOMPARE(graph.nextLinkId(), 5); // dropped ids are not reused either
}

void TestGraph::loadJsonFailureLeavesGraphUntouched() {
    Graph graph;
    buildSample(graph);
    const QByteArray before = state(graph);
    QSignalSpy changed(&graph, &Graph::changed);
    QString error;
    QVERIFY(!graph.loadJson(QJsonDocument::fromJson(R"({"nodes": [{"id": 1, "type": "Input"},
        {"id": 1, "type": "Dense"}], "links": []})")
                                .object(),
                            QStringLiteral("graph"), &error));
    QCOMPARE(error, QStringLiteral("graph.nodes[1]: node id 1 is used twice"));
    QVERIFY(!graph.loadJson(QJsonDocument::fromJson(R"({"nodes": [], "links": [
        {"id": 1, "from": {"node": 1, "port": 0}, "to": {"node": 2, "port": 0}},
        {"id": 1, "from": {"node": 1, "port": 0}, "to": {"node": 2, "port": 0}}]})")
                                .object(),
                            QStringLiteral("graph"), &error));
    QCOMPARE(error, QStringLiteral("graph.links[1]: link id 1 is used twice"));
    QVERIFY(!graph.loadJson(QJsonObject{{"nodes", QJsonArray{}}}, QStringLiteral("graph"), &error));
    QCOMPARE(error, QStringLiteral("graph.links must be an array"));
    QVERIFY(!graph.loadJson(QJsonDocument::fromJson(R"({"nodes": [], "links": [
        {"id": 1, "from": {"node": 1, "port": 0.5}, "to": {"node": 2, "port": 0}}]})")
                                .object(),
                            QStringLiteral("graph"), &error));
    QCOMPARE(error, QStringLiteral("graph.links[0].from.port must be a port index from 0 to 63"));
    QCOMPARE(state(graph), before);
    QCOMPARE(changed.count(), 0);
}

void TestGraph::clearEmitsForEverything() {
    Graph graph;
    buildSample(graph);
    SignalLog log(graph);
    graph.clear();
    QVERIFY(graph.isEmpty());
    QCOMPARE(graph.linkCount(), 0);
    QCOMPARE(log.lines.count(QStringLiteral("changed")), 1);
    QCOMPARE(log.lines.filter(QStringLiteral("linkRemoved")).size(), 5);
    QCOMPARE(log.lines.filter(QStringLiteral("nodeRemoved")).size(), 7);
    // Links go before the nodes they touch.
    QVERIFY(log.lines.indexOf(QStringLiteral("linkRemoved(5)")) <
            log.lines.indexOf(QStringLiteral("nodeRemoved(1)")));
    log.lines.clear();
    graph.clear();
    QCOMPARE(log.lines, QStringList{});
    QCOMPARE(graph.addNode(component::Input), 8); // ids keep growing
}

void TestGraph::variadicInputsGrowAsLinksArrive() {
    Graph graph;
    const QList<NodeId> ids = build(graph,
                                    {{component::Dense, {}},
                                     {component::Dense, {}},
                                     {component::Dense, {}},
                                     {component::Add, {}}},
                                    {});
    const NodeId add = ids[3];
    // One free port before any link; each link into the last free port opens the next one.
    QCOMPARE(graph.inputPortCount(add), 1);
    const LinkId first = graph.addLink({ids[0], 0}, {add, 0});
    QVERIFY(first != InvalidId);
    QCOMPARE(graph.inputPortCount(add), 2);
    const LinkId second = graph.addLink({ids[1], 0}, {add, 1});
    QVERIFY(second != InvalidId);
    QCOMPARE(graph.inputPortCount(add), 3);
    QVERIFY(graph.addLink({ids[2], 0}, {add, 2}) != InvalidId);
    QCOMPARE(graph.inputPortCount(add), 4);
    // Fixed components keep their own count.
    QCOMPARE(graph.inputPortCount(ids[0]), 1);
    QCOMPARE(graph.inputPortCount(12345), 0);

    // Removing a middle link leaves a gap (the others keep their ports, so a Concatenate's
    // order does not silently change); removing the last one shrinks the row.
    const std::optional<Link> removed = graph.removeLink(second);
    QVERIFY(removed);
    QCOMPARE(graph.inputPortCount(add), 4);
    QCOMPARE(graph.inputLinksByPort(add).size(), 2);
    QCOMPARE(graph.link(graph.inputLinksByPort(add)[0]).from.node, ids[0]);
    QCOMPARE(graph.link(graph.inputLinksByPort(add)[1]).from.node, ids[2]);
    QVERIFY(graph.insertLink(*removed));
    QCOMPARE(graph.inputPortCount(add), 4);
    QList<NodeId> sources;
    for (LinkId id : graph.inputLinksByPort(add))
        sources.append(graph.link(id).from.node);
    QCOMPARE(sources, (QList<NodeId>{ids[0], ids[1], ids[2]}));

    // Saving and loading keeps the ports.
    Graph copy;
    QString error;
    QVERIFY2(copy.loadJson(graph.toJson(), QStringLiteral("graph"), &error), qPrintable(error));
    QCOMPARE(state(copy), state(graph));
    QCOMPARE(copy.inputPortCount(add), 4);
}

void TestGraph::canLinkIntoVariadicInputs() {
    Graph graph;
    const QList<NodeId> ids = build(
        graph, {{component::Dense, {}}, {component::Dense, {}}, {component::Concatenate, {}}}, {});
    const NodeId concatenate = ids[2];
    QCOMPARE(graph.canLink({ids[0], 0}, {concatenate, 0}), QString());
    // Only the free port is offered: a link cannot skip ahead.
    QCOMPARE(graph.canLink({ids[0], 0}, {concatenate, 3}),
             QStringLiteral("Concatenate (#3) has no input 3 yet; link into its free input"));
    QVERIFY(graph.addLink({ids[0], 0}, {concatenate, 0}) != InvalidId);
    QCOMPARE(graph.canLink({ids[1], 0}, {concatenate, 0}),
             QStringLiteral("input 'in 1' of Concatenate (#3) is already connected; remove that "
                            "link first"));
    QCOMPARE(graph.canLink({ids[0], 0}, {concatenate, 1}),
             QStringLiteral("Dense 128 ReLU (#1) already feeds Concatenate (#3)"));
    QCOMPARE(graph.canLink({ids[1], 0}, {concatenate, 1}), QString());
    QCOMPARE(graph.canLink({ids[1], 0}, {concatenate, MaxPorts}),
             QStringLiteral("Concatenate (#3) has no input %1").arg(MaxPorts));
    // A file may hold any port below MaxPorts (gaps included): structure only.
    QVERIFY(graph.insertLink(Link{graph.nextLinkId(), {ids[1], 0}, {concatenate, 7}}));
    QCOMPARE(graph.inputPortCount(concatenate), 9);
    QString reason;
    QVERIFY(
        !graph.insertLink(Link{graph.nextLinkId(), {ids[1], 0}, {concatenate, MaxPorts}}, &reason));
    QVERIFY2(reason.contains(QStringLiteral("has no input port")), qPrintable(reason));
}

void TestGraph::anyOutputFeedsSeveralNodes() {
    Graph graph;
    const QList<NodeId> ids = buildTwoBranch(graph);
    QCOMPARE(graph.linkCount(), 7);
    QCOMPARE(graph.outputLinks(ids[1]).size(), 2);
    // A third branch from the same backbone output is fine too.
    const NodeId third = graph.addNode(component::Dense);
    QCOMPARE(graph.canLink({ids[1], 0}, {third, 0}), QString());
    QVERIFY(graph.addLink({ids[1], 0}, {third, 0}) != InvalidId);
    QCOMPARE(graph.outputLinks(ids[1]).size(), 3);
    bool acyclic = false;
    const QList<NodeId> order = graph.topologicalOrder(&acyclic);
    QVERIFY(acyclic);
    QCOMPARE(order.size(), graph.nodeCount());
    QVERIFY(order.indexOf(ids[2]) < order.indexOf(ids[4]));
    QVERIFY(order.indexOf(ids[3]) < order.indexOf(ids[4]));
}

void TestGraph::cycleThroughMergeNode() {
    // Input → Dense A → Add(in 1); Add → Dense B → Add(in 2): the second link closes a loop.
    Graph graph;
    const QList<NodeId> ids = build(graph,
                                    {{component::Input, {}},
                                     {component::Dense, {}},
                                     {component::Add, {}},
                                     {component::Dense, {}},
                                     {component::Output, {}}},
                                    {{0, 1}, {1, 2}, {2, 3}});
    const NodeId add = ids[2];
    QCOMPARE(graph.canLink({ids[3], 0}, {add, 1}),
             QStringLiteral("this link would create a cycle"));
    // A hand-edited file can hold it anyway: validation reports it on every node of the loop.
    QVERIFY(graph.insertLink(Link{graph.nextLinkId(), {ids[3], 0}, {add, 1}}));
    bool acyclic = true;
    const QList<NodeId> order = graph.topologicalOrder(&acyclic);
    QVERIFY(!acyclic);
    QVERIFY(!order.contains(add));
    const Validation validation = validate(graph);
    QVERIFY(!validation.isValid());
    for (NodeId id : {add, ids[3]}) {
        bool reported = false;
        for (const Problem& problem : validation.problemsFor(id)) {
            reported =
                reported || (problem.severity == Severity::Error &&
                             problem.message == QStringLiteral("is part of a cycle (#3, #4); links "
                                                               "must flow one way, from Input to "
                                                               "Output"));
        }
        QVERIFY2(reported, qPrintable(QStringLiteral("no cycle reported on #%1").arg(id)));
    }
    for (NodeId id : {ids[0], ids[1]}) {
        for (const Problem& problem : validation.problemsFor(id))
            QVERIFY2(!problem.message.contains(QStringLiteral("cycle")),
                     qPrintable(problem.message));
    }
    QVERIFY(validation.shape(add).isEmpty());
}

QTEST_GUILESS_MAIN(TestGraph)
#include "tst_graph.moc"
