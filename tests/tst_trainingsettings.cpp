// The "training" section of a project: defaults, round trip, and errors that name the key.

#include "core/train/TrainingSettings.h"

#include <QtTest>

using tc::train::TrainingSettings;

class TestTrainingSettings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emptySectionGivesSeedDefaults();
    void roundTrip();
    void badValues_data();
    void badValues();
};

void TestTrainingSettings::emptySectionGivesSeedDefaults() {
    QString error;
    const auto settings = TrainingSettings::fromJson({}, &error);
    QVERIFY2(settings, qPrintable(error));
    QVERIFY(settings->optimizer == tc::train::Optimizer::Adam);
    QCOMPARE(settings->learningRate, 1e-3);
    QCOMPARE(settings->batchSize, 32);
    QCOMPARE(settings->epochs, 10);
}

void TestTrainingSettings::roundTrip() {
    TrainingSettings settings;
    settings.optimizer = tc::train::Optimizer::Sgd;
    settings.nesterov = true;
    settings.learningRate = 0.05;
    settings.schedule = tc::train::Schedule::ReduceOnPlateau;
    settings.earlyStopping = true;
    settings.watchedMetric = tc::train::WatchedMetric::ValidationLoss;
    settings.earlyStoppingPatience = 3;
    settings.precision = tc::train::Precision::Bf16;
    settings.seed = 1234567890123ULL;
    QString error;
    const auto parsed = TrainingSettings::fromJson(settings.toJson(), &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->toJson(), settings.toJson());
    QCOMPARE(parsed->seed, 1234567890123ULL);
}

void TestTrainingSettings::badValues_data() {
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown optimizer")
        << QJsonObject{{QStringLiteral("optimizer"), QStringLiteral("lion")}}
        << QStringLiteral("'optimizer' must be one of: adam, adamw, sgd, rmsprop");
    QTest::newRow("negative learning rate") << QJsonObject{{QStringLiteral("learningRate"), -1.0}}
                                            << QStringLiteral("'learningRate' must be between");
    QTest::newRow("fractional batch") << QJsonObject{{QStringLiteral("batchSize"), 3.5}}
                                      << QStringLiteral("'batchSize' must be a whole number");
    QTest::newRow("string epochs") << QJsonObject{{QStringLiteral("epochs"), QStringLiteral("10")}}
                                   << QStringLiteral("'epochs' must be a number");
    QTest::newRow("nested metric")
        << QJsonObject{{QStringLiteral("earlyStopping"),
                        QJsonObject{{QStringLiteral("metric"), QStringLiteral("f2")}}}}
        << QStringLiteral("'earlyStopping.metric' must be one of");
    QTest::newRow("early stopping not an object")
        << QJsonObject{{QStringLiteral("earlyStopping"), true}}
        << QStringLiteral("'earlyStopping' must be an object");
}

void TestTrainingSettings::badValues() {
    QFETCH(QJsonObject, json);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!TrainingSettings::fromJson(json, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestTrainingSettings)
#include "tst_trainingsettings.moc"
