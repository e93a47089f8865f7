// Exporting what training produced: a run folder (frozen pretrained backbone, frozen random
// backbone, trainable backbone) becomes a TrainedModel whose predictions equal the trained
// model's own (ModelBuilder + checkpoint), exports from it match Python, a project exports its
// latest run, and a run whose weights or project changed is refused with a clear message.

#include "core/data/Batcher.h"
#include "core/data/SyntheticHistology.h"
#include "core/export/ModelLoading.h"
#include "core/export/Predictor.h"
#include "core/export/RunModel.h"
#include "core/graph/Graph.h"
#include "core/graph/Project.h"
#include "core/nn/ModelBuilder.h"
#include "core/nn/ResNet.h"
#include "core/nn/SafeTensors.h"
#include "core/train/Decision.h"
#include "core/train/ProjectTraining.h"
#include "core/train/RunFiles.h"
#include "tst_exporthelpers.h"

using namespace tc;
using namespace tc::exporting;

namespace {

/// The three ways a backbone is trained.
enum class Backbone { FrozenPretrained, FrozenRandom, Trainable };

QByteArray readAll(const QString& path) {
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

} // namespace

class TestExportRun : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_weightsDirectory;
    QString m_weightsFile;
    QStringList m_images;
    QMap<int, QString> m_projects; ///< by Backbone
    QMap<int, QString> m_runs;

    QString writeProject(Backbone backbone, const QString& csv) {
        graph::Project project;
        auto& graph = project.graph();
        const int input = graph.addNode(QStringLiteral("Input"), {},
                                        {{QStringLiteral("channels"), 3},
                                         {QStringLiteral("height"), 64},
                                         {QStringLiteral("width"), 64}});
        const int resnet = graph.addNode(
            QStringLiteral("ResNet"), {},
            {{QStringLiteral("variant"), QStringLiteral("18")},
             {QStringLiteral("pretrained"), backbone == Backbone::FrozenPretrained
                                                ? QStringLiteral("imagenet")
                                                : QStringLiteral("none")},
             {QStringLiteral("trainable"),
              backbone == Backbone::Trainable ? QStringLiteral("all") : QStringLiteral("frozen")},
             {QStringLiteral("pooling"), QStringLiteral("avg")}});
        const int hidden = graph.addNode(QStringLiteral("Dense"), {},
                                         {{QStringLiteral("units"), 16},
                                          {QStringLiteral("activation"), QStringLiteral("relu")},
                                          {QStringLiteral("batch_norm"), true}});
        const int last = graph.addNode(QStringLiteral("Dense"), {},
                                       {{QStringLiteral("units"), 2},
                                        {QStringLiteral("activation"), QStringLiteral("softmax")}});
        const int output = graph.addNode(QStringLiteral("Output"));
        graph.addLink({input, 0}, {resnet, 0});
        graph.addLink({resnet, 0}, {hidden, 0});
        graph.addLink({hidden, 0}, {last, 0});
        graph.addLink({last, 0}, {output, 0});
        project.setDataset({{QStringLiteral("source"), csv}});
        project.setSplit({{QStringLiteral("train"), 60},
                          {QStringLiteral("validation"), 25},
                          {QStringLiteral("test"), 15}});
        project.setPreprocessing({{QStringLiteral("width"), 64}, {QStringLiteral("height"), 64}});
        project.setTraining({{QStringLiteral("epochs"), 2},
                             {QStringLiteral("batchSize"), 8},
                             {QStringLiteral("seed"), 5},
                             {QStringLiteral("precision"), QStringLiteral("fp32")}});
        const QString name = QStringList{"pretrained", "random", "trainable"}[int(backbone)];
        const QString path = QDir(m_folder).filePath(name + QStringLiteral(".tcproj"));
        QString error;
        if (!project.save(path, &error))
            qFatal("%s", qPrintable(error));
        return path;
    }

    /// The trained model's own probabilities: ModelBuilder's classifier (fp32) with the
    /// checkpoint's head, images through the app's loader.
    torch::Tensor trainedProbabilities(Backbone backbone, const QStringList& images) {
        graph::Project project;
        QString error;
        if (!project.load(m_projects[int(backbone)], &error))
            qFatal("%s", qPrintable(error));
        nn::ModelBuildOptions options;
        options.classes = 2;
        options.height = options.width = 64;
        options.precision = nn::Precision::Fp32;
        options.seed = 5;
        options.weights.weightsDirectory = m_weightsDirectory;
        nn::BuiltModel built = nn::buildModel(project.graph(), options);
        if (!built.ok())
            qFatal("%s", qPrintable(built.error));
        train::RunFiles files(m_runs[int(backbone)]);
        train::CheckpointState state;
        if (!files.readCheckpoint(QStringLiteral("checkpoint-best.pt"), &state,
                                  *built.classifier.head.ptr(), nullptr, &error))
            qFatal("%s", qPrintable(error));
        built.classifier.head.ptr()->eval();
        data::PreprocessingSettings preprocessing;
        preprocessing.width = preprocessing.height = 64;
        std::vector<torch::Tensor> inputs;
        for (const QString& image : images)
            inputs.push_back(data::Batcher::loadImage(image, preprocessing));
        torch::NoGradGuard noGrad;
        torch::Tensor x = torch::cat(inputs); // loadImage gives [1, 3, H, W]
        if (built.classifier.hasTrunk())
            x = built.classifier.trunk.forward(x);
        // A run predicts with the temperature its operating point fitted on validation.
        const auto point = train::readOperatingPoint(m_runs[int(backbone)], &error);
        if (!error.isEmpty())
            qFatal("%s", qPrintable(error));
        const double temperature = point ? point->temperature : 1.0;
        return torch::softmax(built.classifier.head.forward(x) / temperature, 1);
    }

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(2);
        m_folder = testing::freshFolder(QStringLiteral("export-run"));
        const QDir folder(m_folder);
        data::SyntheticHistologyOptions options;
        options.directory = folder.filePath(QStringLiteral("demo"));
        options.benign = 14;
        options.malignant = 18;
        options.width = 96;
        options.height = 64;
        options.patients = 8;
        const auto generated = data::SyntheticHistology::generate(options);
        QVERIFY2(generated.ok(), qPrintable(generated.error));
        QDirIterator it(options.directory, {QStringLiteral("*.png")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            m_images << it.next();
        m_images.sort();
        m_images = m_images.mid(0, 10);

        // "ImageNet" weights: a random ResNet18 in the weights folder, as an import leaves it.
        m_weightsDirectory = folder.filePath(QStringLiteral("weights"));
        folder.mkpath(QStringLiteral("weights"));
        torch::manual_seed(99);
        nn::ResNetOptions resnetOptions;
        resnetOptions.depth = nn::ResNetDepth::ResNet18;
        nn::ResNet resnet(resnetOptions);
        nn::StateDict tensors;
        for (const auto& item : resnet->named_parameters())
            tensors.insert(item.key(), item.value().detach());
        for (const auto& item : resnet->named_buffers())
            tensors.insert(item.key(), item.value());
        m_weightsFile =
            QDir(m_weightsDirectory).filePath(QStringLiteral("resnet18-0a1b2c3d.safetensors"));
        QString error;
        QVERIFY2(nn::writeSafeTensors(m_weightsFile, tensors, {}, &error), qPrintable(error));

        for (const Backbone backbone :
             {Backbone::FrozenPretrained, Backbone::FrozenRandom, Backbone::Trainable}) {
            const QString project = writeProject(backbone, generated.csvPath);
            m_projects[int(backbone)] = project;
            const QString run = folder.filePath(
                QStringLiteral("runs/%1-1").arg(QFileInfo(project).completeBaseName()));
            train::TrainingRequest request;
            request.projectPath = project;
            request.runDirectory = run;
            request.weightsDirectory = m_weightsDirectory;
            request.loaderWorkers = 1;
            train::TrainingObserver observer;
            train::TrainingControl control;
            const train::FinishedEvent finished = train::trainProject(request, observer, control);
            QVERIFY2(finished.reason != train::FinishReason::Failed, qPrintable(finished.message));
            QVERIFY(QFile::exists(QDir(run).filePath(QStringLiteral("checkpoint-best.pt"))));
            m_runs[int(backbone)] = run;
        }
        QVERIFY(readAll(QDir(m_runs[0]).filePath(QStringLiteral("report.json")))
                    .contains("ImageNet weights from"));
    }

    void runs_data() {
        QTest::addColumn<int>("backbone");
        QTest::newRow("frozen pretrained backbone") << int(Backbone::FrozenPretrained);
        QTest::newRow("frozen random backbone (seeded)") << int(Backbone::FrozenRandom);
        QTest::newRow("trainable backbone") << int(Backbone::Trainable);
    }

    void describesTheRun_data() { runs_data(); }
    void describesTheRun() {
        QFETCH(int, backbone);
        QString error;
        const std::optional<TrainedModel> model = loadTrainedModel(m_runs[backbone], &error);
        QVERIFY2(model, qPrintable(error));
        QCOMPARE(int(model->components.size()), 3);
        QCOMPARE(model->classNames,
                 (QStringList{QStringLiteral("benign"), QStringLiteral("malignant")}));
        QCOMPARE(model->preprocessing.width, 64);
        // torchvision names under backbone., module names under head.<i>.
        QVERIFY(model->tensors.find("backbone.layer4.1.bn2.running_var"));
        QVERIFY(model->tensors.find("backbone.layer1.0.conv1.weight"));
        QVERIFY(!model->tensors.find("backbone.fc.weight"));
        QVERIFY(model->tensors.find("head.0.linear.weight"));
        QVERIFY(model->tensors.find("head.0.norm.running_mean"));
        QVERIFY(model->tensors.find("head.1.linear.bias"));
        QCOMPARE(model->tensors.size(), size_t(120 + 7 + 2));
        if (backbone == int(Backbone::FrozenPretrained)) {
            // The backbone is the weights file's, untouched by training.
            QString reason;
            const auto file = nn::readWeightsFile(m_weightsFile, &reason);
            QVERIFY2(file, qPrintable(reason));
            QVERIFY(model->tensors.find("backbone.layer3.1.conv2.weight")
                        ->equal(*file->find("layer3.1.conv2.weight")));
        }
        QVERIFY(model->metadata.value(QStringLiteral("checkpoint"))
                    .toString()
                    .startsWith(QLatin1String("checkpoint-best.pt (epoch ")));
        QVERIFY(model->metadata.contains(QStringLiteral("data")));
    }

    void predictionsEqualTheTrainedModel_data() { runs_data(); }
    void predictionsEqualTheTrainedModel() {
        QFETCH(int, backbone);
        QString error;
        std::unique_ptr<Predictor> predictor = Predictor::open(m_runs[backbone], &error);
        QVERIFY2(predictor, qPrintable(error));
        QCOMPARE(predictor->kindName(), QStringLiteral("run folder"));
        const auto predictions = predictor->predict(m_images);
        const torch::Tensor expected = trainedProbabilities(Backbone(backbone), m_images);
        double largest = 0.0;
        for (int i = 0; i < m_images.size(); ++i) {
            QVERIFY2(predictions[i].ok(), qPrintable(predictions[i].error));
            for (int c = 0; c < 2; ++c)
                largest = std::max(largest, std::abs(double(predictions[i].probabilities[c]) -
                                                     expected[i][c].item<double>()));
        }
        qInfo("largest |p_export_description - p_trained_model| = %g", largest);
        QVERIFY2(largest <= 1e-5, qPrintable(QString::number(largest)));
    }

    void exportedRunMatchesPython() {
        const QString model = QDir(m_folder).filePath(QStringLiteral("run.pt"));
        int exitCode = -1;
        QByteArray standardError;
        testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY),
                            {QStringLiteral("export"), m_runs[int(Backbone::FrozenPretrained)],
                             QStringLiteral("-o"), model, QStringLiteral("--with-preprocessing")},
                            &exitCode, &standardError);
        QVERIFY2(exitCode == 0, standardError.constData());
        const QJsonObject python =
            QJsonDocument::fromJson(
                testing::runProgram(
                    QStringLiteral(TORCHCANVAS_PYTHON),
                    QStringList{testing::testTool("torchscript_predict.py"), model} + m_images,
                    &exitCode, &standardError))
                .object();
        QVERIFY2(exitCode == 0, standardError.constData());
        const QJsonObject run =
            QJsonDocument::fromJson(
                testing::runProgram(QStringLiteral(TORCHCANVAS_BINARY),
                                    QStringList{QStringLiteral("predict"),
                                                m_runs[int(Backbone::FrozenPretrained)],
                                                QStringLiteral("--json")} +
                                        m_images,
                                    &exitCode, &standardError))
                .object();
        QVERIFY2(exitCode == 0, standardError.constData());
        QCOMPARE(run.value(QStringLiteral("kind")).toString(), QStringLiteral("run folder"));
        const QJsonArray a = python.value(QStringLiteral("predictions")).toArray();
        const QJsonArray b = run.value(QStringLiteral("predictions")).toArray();
        QCOMPARE(a.size(), m_images.size());
        QCOMPARE(b.size(), m_images.size());
        double largest = 0.0;
        for (int i = 0; i < a.size(); ++i) {
            const QJsonArray p = a[i].toObject().value(QStringLiteral("probabilities")).toArray();
            const QJsonObject q = b[i].toObject().value(QStringLiteral("probabilities")).toObject();
            largest = std::max(
                largest, std::abs(p[0].toDouble() - q.value(QStringLiteral("benign")).toDouble()));
            largest = std::max(largest, std::abs(p[1].toDouble() -
                                                 q.value(QStringLiteral("malignant")).toDouble()));
        }
        qInfo("largest |p_python(exported run) - p_predict(run)| = %g", largest);
        QVERIFY2(largest <= 1e-5, qPrintable(QString::number(largest)));

        // The card comes from the run's report.
        const QString card =
            QString::fromUtf8(readAll(QDir(m_folder).filePath(QStringLiteral("run.md"))));
        QVERIFY(card.contains(QStringLiteral("# Model card: pretrained")));
        QVERIFY(card.contains(QStringLiteral("**Fingerprint**: `")));
        QVERIFY(card.contains(QStringLiteral("### Validation split, epoch ")));
        QVERIFY(card.contains(QStringLiteral("95 % CI (Wilson)")));
        QVERIFY(card.contains(QStringLiteral("ImageNet weights from")));
        QVERIFY(card.contains(QStringLiteral("**optimizer**")));
    }

    void projectExportsItsLatestRun() {
        QString error;
        const QString project = m_projects[int(Backbone::FrozenRandom)];
        QCOMPARE(latestRunOf(project, &error), m_runs[int(Backbone::FrozenRandom)]);
        const std::optional<ModelFileInfo> info = identifyModelFile(project, &error);
        QVERIFY2(info, qPrintable(error));
        QCOMPARE(int(info->kind), int(ModelFileKind::Project));
        QVERIFY2(loadTrainedModel(project, &error), qPrintable(error));
        // A project that was never trained.
        const QString untrained = QDir(m_folder).filePath(QStringLiteral("untrained.tcproj"));
        QFile::copy(project, untrained);
        QVERIFY(!loadTrainedModel(untrained, &error));
        QVERIFY2(error.contains(QLatin1String("no training run")), qPrintable(error));
        QVERIFY(error.startsWith(untrained));
    }

    void checkpointFileAndLastCheckpoint() {
        QString error;
        const QString last = QDir(m_runs[int(Backbone::FrozenRandom)])
                                 .filePath(QStringLiteral("checkpoint-last.pt"));
        const std::optional<TrainedModel> model = loadTrainedModel(last, &error);
        QVERIFY2(model, qPrintable(error));
        QVERIFY(model->metadata.value(QStringLiteral("checkpoint"))
                    .toString()
                    .startsWith(QLatin1String("checkpoint-last.pt")));
    }

    void missingWeightsFileIsReported() {
        const QString moved = m_weightsFile + QStringLiteral(".moved");
        QVERIFY(QFile::rename(m_weightsFile, moved));
        QString error;
        const bool loaded = bool(loadTrainedModel(m_runs[int(Backbone::FrozenPretrained)], &error));
        QFile::rename(moved, m_weightsFile);
        QVERIFY(!loaded);
        QVERIFY2(error.contains(m_weightsFile) && error.contains(QLatin1String("no longer there")),
                 qPrintable(error));
    }

    void changedProjectIsReported() {
        const QString project = m_projects[int(Backbone::Trainable)];
        const QByteArray original = readAll(project);
        QByteArray changed = original;
        changed.replace("\"all\"", "\"frozen\"");
        QVERIFY(changed != original);
        writeAll(project, changed);
        QString error;
        const bool loaded = bool(loadTrainedModel(m_runs[int(Backbone::Trainable)], &error));
        writeAll(project, original);
        QVERIFY(!loaded);
        QVERIFY2(error.contains(QLatin1String("was the project changed?")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestExportRun)
#include "tst_exportrun.moc"
