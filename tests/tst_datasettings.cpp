// Data settings: the "dataset", "split" and "preprocessing" sections of a project file.

#include "core/data/DataSettings.h"

#include <QJsonDocument>
#include <QtTest>

using namespace tc::data;

namespace {

QJsonObject parseObject(const char* json) {
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

} // namespace

class TestDataSettings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultsFromEmptySections();
    void roundTrip();
    void schemaSpelling();
    void badValues_data();
    void badValues();
};

void TestDataSettings::defaultsFromEmptySections() {
    QString error;
    const auto dataset = DatasetSettings::fromJson({}, &error);
    QVERIFY2(dataset, qPrintable(error));
    QCOMPARE(dataset->groups.mode, GroupSettings::Mode::None);
    const auto split = SplitSettings::fromJson({}, &error);
    QVERIFY2(split, qPrintable(error));
    QCOMPARE(split->train, 70);
    QCOMPARE(split->validation, 20);
    QCOMPARE(split->test, 10);
    QCOMPARE(split->stratify, true);
    QCOMPARE(split->grouped, true);
    QCOMPARE(split->seed, quint64(42));
    const auto preprocessing = PreprocessingSettings::fromJson({}, &error);
    QVERIFY2(preprocessing, qPrintable(error));
    QCOMPARE(preprocessing->width, 224);
    QCOMPARE(preprocessing->height, 224);
    QCOMPARE(preprocessing->resize, PreprocessingSettings::Resize::Stretch);
    QCOMPARE(preprocessing->normalization, PreprocessingSettings::Normalization::ImageNet);
    QVERIFY(!preprocessing->augmentation.enabled());
}

void TestDataSettings::roundTrip() {
    DatasetSettings dataset;
    dataset.source = QStringLiteral("data/set.csv");
    dataset.imageColumn = QStringLiteral("file");
    dataset.labelColumn = QStringLiteral("diagnosis");
    dataset.groups.mode = GroupSettings::Mode::Regex;
    dataset.groups.pattern = QStringLiteral("^(?<group>[^_]+)_");
    QString error;
    QCOMPARE(*DatasetSettings::fromJson(dataset.toJson(), &error), dataset);

    SplitSettings split;
    split.train = 60;
    split.validation = 25;
    split.test = 15;
    split.stratify = false;
    split.grouped = false;
    split.seed = 9007199254740992ull; // 2^53, the largest exact JSON integer
    QCOMPARE(*SplitSettings::fromJson(split.toJson(), &error), split);
    split.column = QStringLiteral("fold");
    QCOMPARE(*SplitSettings::fromJson(split.toJson(), &error), split);

    PreprocessingSettings preprocessing;
    preprocessing.width = 299;
    preprocessing.height = 160;
    preprocessing.resize = PreprocessingSettings::Resize::ShorterSideCrop;
    preprocessing.normalization = PreprocessingSettings::Normalization::None;
    preprocessing.augmentation.horizontalFlip = true;
    preprocessing.augmentation.rotate90 = true;
    preprocessing.augmentation.cropScale = 0.25;
    preprocessing.augmentation.stainJitter = 0.05;
    QVERIFY(preprocessing.augmentation.enabled());
    // Through text, as in a saved project file.
    const QByteArray text = QJsonDocument(preprocessing.toJson()).toJson();
    QCOMPARE(*PreprocessingSettings::fromJson(QJsonDocument::fromJson(text).object(), &error),
             preprocessing);
}

void TestDataSettings::schemaSpelling() {
    // The documented schema, as another module or a hand-edited project writes it.
    QString error;
    const auto dataset = DatasetSettings::fromJson(
        parseObject(R"({"source": "dataset.csv", "imageColumn": "images", "labelColumn": "labels",
                        "groups": {"mode": "breakhis"}})"),
        &error);
    QVERIFY2(dataset, qPrintable(error));
    QCOMPARE(dataset->groups.mode, GroupSettings::Mode::BreakHis);
    QCOMPARE(dataset->toJson().value("groups").toObject().value("mode").toString(),
             QStringLiteral("breakhis"));

    const auto preprocessing = PreprocessingSettings::fromJson(
        parseObject(R"({"width": 224, "height": 224, "resize": "shorter-side-crop",
                        "normalization": "imagenet",
                        "augmentation": {"horizontalFlip": true, "verticalFlip": false,
                                         "rotate90": false, "cropScale": 0.0, "brightness": 0.1,
                                         "contrast": 0.0, "stainJitter": 0.0}})"),
        &error);
    QVERIFY2(preprocessing, qPrintable(error));
    QCOMPARE(preprocessing->resize, PreprocessingSettings::Resize::ShorterSideCrop);
    QCOMPARE(preprocessing->augmentation.brightness, 0.1);
    const QJsonObject json = preprocessing->toJson();
    QCOMPARE(json.value("resize").toString(), QStringLiteral("shorter-side-crop"));
    QCOMPARE(json.value("normalization").toString(), QStringLiteral("imagenet"));
    QCOMPARE(json.value("augmentation").toObject().keys(),
             (QStringList{"brightness", "contrast", "cropScale", "horizontalFlip", "rotate90",
                          "stainJitter", "verticalFlip"}));
    QCOMPARE(SplitSettings().toJson().keys(),
             (QStringList{"grouped", "seed", "stratify", "test", "train", "validation"}));
}

void TestDataSettings::badValues_data() {
    QTest::addColumn<QString>("section");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("split: percentages do not add up")
        << "split" << QByteArray(R"({"train": 70, "validation": 20, "test": 20})")
        << "split: train + validation + test must add up to 100, not 110 (70 + 20 + 20)";
    QTest::newRow("split: out of range")
        << "split" << QByteArray(R"({"train": 120})")
        << "split.train must be a whole number from 0 to 100, not 120";
    QTest::newRow("split: fraction")
        << "split" << QByteArray(R"({"validation": 20.5})")
        << "split.validation must be a whole number from 0 to 100, not 20.5";
    QTest::newRow("split: string number")
        << "split" << QByteArray(R"({"test": "10"})")
        << "split.test must be a whole number from 0 to 100, not \"10\"";
    QTest::newRow("split: no training")
        << "split" << QByteArray(R"({"train": 0, "validation": 50, "test": 50})")
        << "split.train must be above 0: nothing would be trained";
    QTest::newRow("split: negative seed")
        << "split" << QByteArray(R"({"seed": -1})")
        << "split.seed must be a whole number from 0 to 2^53, not -1";
    QTest::newRow("split: stratify not a bool")
        << "split" << QByteArray(R"({"stratify": "yes"})")
        << "split.stratify must be true or false, not \"yes\"";
    QTest::newRow("split: unknown key")
        << "split" << QByteArray(R"({"trian": 70})")
        << "split: unknown key 'trian' (expected one of: train, validation, test, stratify, "
           "grouped, seed, column)";
    QTest::newRow("split: column must be a string")
        << "split" << QByteArray(R"({"column": 3})") << "split.column must be a string, not 3";
    QTest::newRow("dataset: source not a string") << "dataset" << QByteArray(R"({"source": null})")
                                                  << "dataset.source must be a string, not null";
    QTest::newRow("dataset: unknown group mode")
        << "dataset" << QByteArray(R"({"groups": {"mode": "patient"}})")
        << "dataset.groups.mode must be one of none, breakhis, column, regex, not \"patient\"";
    QTest::newRow("dataset: column mode without column")
        << "dataset" << QByteArray(R"({"groups": {"mode": "column"}})")
        << "dataset.groups.mode is \"column\" but dataset.groups.column is empty";
    QTest::newRow("dataset: bad regex")
        << "dataset" << QByteArray(R"({"groups": {"mode": "regex", "pattern": "(unclosed"}})")
        << "dataset.groups.pattern is not a valid regular expression: missing closing "
           "parenthesis";
    QTest::newRow("dataset: groups not an object")
        << "dataset" << QByteArray(R"({"groups": "breakhis"})")
        << "dataset.groups must be an object, not \"breakhis\"";
    QTest::newRow("preprocessing: width zero")
        << "preprocessing" << QByteArray(R"({"width": 0})")
        << "preprocessing.width must be a whole number from 1 to 4096, not 0";
    QTest::newRow("preprocessing: unknown resize")
        << "preprocessing" << QByteArray(R"({"resize": "crop"})")
        << "preprocessing.resize must be one of stretch, shorter-side-crop, not \"crop\"";
    QTest::newRow("preprocessing: unknown normalization")
        << "preprocessing" << QByteArray(R"({"normalization": "ImageNet"})")
        << "preprocessing.normalization must be one of imagenet, none, not \"ImageNet\"";
    QTest::newRow("augmentation: crop scale 1")
        << "preprocessing" << QByteArray(R"({"augmentation": {"cropScale": 1}})")
        << "preprocessing.augmentation.cropScale must be a number in [0, 1), not 1";
    QTest::newRow("augmentation: negative brightness")
        << "preprocessing" << QByteArray(R"({"augmentation": {"brightness": -0.5}})")
        << "preprocessing.augmentation.brightness must be a number in [0, 1], not -0.5";
    QTest::newRow("augmentation: flip not a bool")
        << "preprocessing" << QByteArray(R"({"augmentation": {"horizontalFlip": 1}})")
        << "preprocessing.augmentation.horizontalFlip must be true or false, not 1";
    QTest::newRow("augmentation: unknown key")
        << "preprocessing" << QByteArray(R"({"augmentation": {"hue": 0.1}})")
        << "preprocessing.augmentation: unknown key 'hue' (expected one of: horizontalFlip, "
           "verticalFlip, rotate90, cropScale, brightness, contrast, stainJitter)";
}

void TestDataSettings::badValues() {
    QFETCH(QString, section);
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    QString message;
    bool parsed = true;
    if (section == QLatin1String("split"))
        parsed = SplitSettings::fromJson(object, &message).has_value();
    else if (section == QLatin1String("dataset"))
        parsed = DatasetSettings::fromJson(object, &message).has_value();
    else
        parsed = PreprocessingSettings::fromJson(object, &message).has_value();
    QVERIFY(!parsed);
    QCOMPARE(message, error);
}

QTEST_GUILESS_MAIN(TestDataSettings)
#include "tst_datasettings.moc"
