// The training-settings panel: shows a project's "training" section, reports every edit as
// a whole section (keys it does not edit kept), enables dependent options, and shows why a
// section the trainer would refuse is wrong.

#include "core/nn/PrecisionPolicy.h"
#include "core/util/Devices.h"
#include "ui/training/TrainingSettingsPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using tc::ui::TrainingSettingsPanel;

class TestTrainingSettingsPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsAndEditsASection();
    void dependentOptionsFollow();
    void refusedSectionShowsWhy();
    void devicesAreThoseAvailable();
    void automaticPrecisionSaysWhatItMeansHere();
};

void TestTrainingSettingsPanel::showsAndEditsASection() {
    TrainingSettingsPanel panel;
    const QJsonObject section{{QStringLiteral("optimizer"), QStringLiteral("sgd")},
                              {QStringLiteral("epochs"), 25},
                              {QStringLiteral("featureCacheOnDisk"), false},
                              {QStringLiteral("futureKey"), QStringLiteral("kept")}};
    QSignalSpy edited(&panel, &TrainingSettingsPanel::settingsEdited);
    panel.setSettings(section);
    QCOMPARE(edited.count(), 0); // showing is not editing
    auto* epochs = panel.findChild<QSpinBox*>(QStringLiteral("epochs"));
    auto* optimizer = panel.findChild<QComboBox*>(QStringLiteral("optimizer"));
    auto* onDisk = panel.findChild<QCheckBox*>(QStringLiteral("featureCacheOnDisk"));
    QVERIFY(epochs && optimizer && onDisk);
    QCOMPARE(epochs->value(), 25);
    QCOMPARE(optimizer->currentData().toString(), QStringLiteral("sgd"));
    QVERIFY(!onDisk->isChecked());

    onDisk->setChecked(true);
    QCOMPARE(edited.count(), 1);
    const QJsonObject after = edited.at(0).at(0).toJsonObject();
    QCOMPARE(after.value(QStringLiteral("featureCacheOnDisk")).toBool(), true);
    QCOMPARE(after.value(QStringLiteral("epochs")).toInt(), 25);
    QCOMPARE(after.value(QStringLiteral("optimizer")).toString(), QStringLiteral("sgd"));
    QCOMPARE(after.value(QStringLiteral("futureKey")).toString(), QStringLiteral("kept"));
    QCOMPARE(panel.settings(), after);

    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(
        panel.grab().save(QStringLiteral(TORCHCANVAS_TEST_OUTPUT_DIR "/training-settings.png")));
}

void TestTrainingSettingsPanel::dependentOptionsFollow() {
    TrainingSettingsPanel panel;
    panel.setSettings({});
    auto* cache = panel.findChild<QCheckBox*>(QStringLiteral("featureCache"));
    auto* onDisk = panel.findChild<QCheckBox*>(QStringLiteral("featureCacheOnDisk"));
    auto* early = panel.findChild<QCheckBox*>(QStringLiteral("earlyStopping"));
    auto* patience = panel.findChild<QSpinBox*>(QStringLiteral("patience"));
    QVERIFY(cache && onDisk && early && patience);
    QVERIFY(cache->isChecked() && onDisk->isChecked()); // the defaults
    QVERIFY(onDisk->isEnabled());
    cache->setChecked(false);
    QVERIFY(!onDisk->isEnabled()); // no cache at all: nothing to keep on disk
    QVERIFY(!early->isChecked());
    QVERIFY(!patience->isEnabled());
    early->setChecked(true);
    QVERIFY(patience->isEnabled());
}

void TestTrainingSettingsPanel::refusedSectionShowsWhy() {
    TrainingSettingsPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setSettings({{QStringLiteral("epochs"), 0}});
    auto* error = panel.findChild<QLabel*>(QStringLiteral("error"));
    QVERIFY(error);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("epochs")), qPrintable(error->text()));
    panel.setSettings({{QStringLiteral("epochs"), 3}});
    QVERIFY(!error->isVisible());
}

void TestTrainingSettingsPanel::devicesAreThoseAvailable() {
    TrainingSettingsPanel panel;
    panel.setSettings({});
    auto* device = panel.findChild<QComboBox*>(QStringLiteral("device"));
    QVERIFY(device);
    QStringList listed;
    for (int i = 0; i < device->count(); ++i)
        listed << device->itemData(i).toString();
    QCOMPARE(listed, tc::runtime::availableDevices());
    QCOMPARE(device->currentData().toString(), QStringLiteral("cpu"));
    QCOMPARE(panel.settings().value(QStringLiteral("device")).toString(), QStringLiteral("cpu"));

    // A project made on another machine keeps its device, shown as unavailable here, until
    // the user picks another; the next project does not inherit it.
    const QString absent = QStringLiteral("cuda:%1").arg(tc::runtime::cudaDeviceCount() + 3);
    panel.setSettings({{QStringLiteral("device"), absent}});
    QCOMPARE(device->currentData().toString(), absent);
    QVERIFY(device->currentText().contains(QStringLiteral("not available")));
    QCOMPARE(panel.settings().value(QStringLiteral("device")).toString(), absent);
    QSignalSpy edited(&panel, &TrainingSettingsPanel::settingsEdited);
    device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
    QCOMPARE(edited.count(), 1);
    QCOMPARE(edited.at(0).at(0).toJsonObject().value(QStringLiteral("device")).toString(),
             QStringLiteral("cpu"));
    panel.setSettings({});
    QCOMPARE(device->count(), int(tc::runtime::availableDevices().size()));
}

void TestTrainingSettingsPanel::automaticPrecisionSaysWhatItMeansHere() {
    // The suite runs with TORCHCANVAS_PRECISION forced each way: the label follows it.
    TrainingSettingsPanel panel;
    panel.setSettings({{QStringLiteral("precision"), QStringLiteral("auto")}});
    auto* precision = panel.findChild<QComboBox*>(QStringLiteral("precision"));
    QVERIFY(precision);
    const tc::nn::PrecisionDecision decision = tc::nn::autoPrecision();
    const QString resolved = decision.precision == tc::nn::Precision::Bf16 ? QStringLiteral("bf16")
                                                                           : QStringLiteral("fp32");
    QCOMPARE(precision->currentData().toString(), QStringLiteral("auto"));
    QCOMPARE(precision->currentText(), QStringLiteral("Automatic (%1 on this CPU)").arg(resolved));
    QVERIFY2(precision->toolTip().contains(decision.reason), qPrintable(precision->toolTip()));
    // The stored value stays "auto": another machine decides for itself.
    QCOMPARE(panel.settings().value(QStringLiteral("precision")).toString(),
             QStringLiteral("auto"));
}

QTEST_MAIN(TestTrainingSettingsPanel)
#include "tst_trainingsettingspanel.moc"
