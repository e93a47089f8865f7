// The Export dialog: exports on its worker thread, re-scores the validation images with the
// written file and shows the agreement; reports failures; closing mid-export does not hang.

#include "core/export/SafeTensorsExport.h"
#include "core/export/TorchScriptTrust.h"
#include "tst_exporthelpers.h"
#include "ui/export/ExportDialog.h"
#include "ui/export/ExportPlan.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>

using namespace tc;
using namespace tc::exporting;

class TestExportDialog : public QObject {
    Q_OBJECT

private:
    QString m_folder;
    QString m_source;
    QStringList m_images;

private Q_SLOTS:
    void initTestCase() {
        m_folder = testing::freshFolder(QStringLiteral("export-dialog"));
        const TrainedModel model = testing::makeModel(testing::flagshipChain());
        m_source = QDir(m_folder).filePath(QStringLiteral("run.safetensors"));
        QString error;
        QVERIFY2(writeSafeTensorsModel(model, m_source, nullptr, &error), qPrintable(error));
        for (int i = 0; i < 6; ++i)
            m_images << testing::writeTestImage(m_folder, QStringLiteral("val-%1.png").arg(i),
                                                120 + 37 * i, 90 + 11 * i, 20 + i);
    }

    void planFollowsTheProjectAndTheRun() {
        const QDir folder(testing::freshFolder(QStringLiteral("export-plan")));
        const QString project = folder.filePath(QStringLiteral("study.tcproj"));
        const QString run = folder.filePath(QStringLiteral("runs/run-1"));
        QVERIFY(QDir().mkpath(run));

        // Nothing saved, nothing trained: nothing to propose.
        ui::ExportPlan plan = ui::planExport({}, {});
        QVERIFY(plan.source.isEmpty() && plan.outputPath.isEmpty() && plan.splitProject.isEmpty());

        // A project only: its latest run, its split; the project file is not there, so the
        // dialog learns why there is no agreement check.
        plan = ui::planExport(project, {});
        QCOMPARE(plan.source, project);
        QCOMPARE(plan.splitProject, project);
        QCOMPARE(plan.outputPath, folder.filePath(QStringLiteral("exports/study.pt")));
        QVERIFY(plan.validationImages.isEmpty());
        QVERIFY2(plan.noCheckReason.contains(QStringLiteral("study.tcproj")),
                 qPrintable(plan.noCheckReason));

        // A run without its snapshot: the project's split.
        plan = ui::planExport(project, run);
        QCOMPARE(plan.source, run);
        QCOMPARE(plan.splitProject, project);

        // A run with its snapshot: the split the model was trained on.
        QFile snapshot(QDir(run).filePath(QStringLiteral("project.tcproj")));
        QVERIFY(snapshot.open(QIODevice::WriteOnly));
        snapshot.close();
        plan = ui::planExport(project, run);
        QCOMPARE(plan.splitProject, snapshot.fileName());
        QCOMPARE(plan.outputPath, folder.filePath(QStringLiteral("exports/study.pt")));

        // An unsaved project: the file goes into the run.
        plan = ui::planExport({}, run);
        QCOMPARE(plan.outputPath, QDir(run).filePath(QStringLiteral("model.pt")));
    }

    void formatControlsFollowTheChoice() {
        ui::ExportDialog dialog;
        dialog.setSource(m_source);
        dialog.setOutputPath(QDir(m_folder).filePath(QStringLiteral("model.pt")));
        auto* format = dialog.findChild<QComboBox*>(QStringLiteral("format"));
        auto* preprocessing = dialog.findChild<QCheckBox*>(QStringLiteral("withPreprocessing"));
        auto* verify = dialog.findChild<QCheckBox*>(QStringLiteral("verify"));
        QVERIFY(format && preprocessing && verify);
        QVERIFY(preprocessing->isEnabled());
        QVERIFY(!verify->isEnabled()); // no validation images yet
        dialog.setValidationImages(m_images);
        QVERIFY(verify->isEnabled());
        QVERIFY(verify->text().contains(QLatin1String("6 validation images")));

        dialog.setFormat(ExportFormat::Onnx);
        QCOMPARE(format->currentIndex(), 1);
        QVERIFY(!preprocessing->isEnabled());
        QVERIFY(!dialog.withPreprocessing());
        QCOMPARE(QFileInfo(dialog.outputPath()).fileName(), QStringLiteral("model.onnx"));
        dialog.setFormat(ExportFormat::SafeTensors);
        QCOMPARE(QFileInfo(dialog.outputPath()).fileName(), QStringLiteral("model.safetensors"));
        dialog.setFormat(ExportFormat::TorchScript, true);
        QVERIFY(dialog.withPreprocessing());
        QCOMPARE(QFileInfo(dialog.outputPath()).fileName(), QStringLiteral("model.pt"));
    }

    void exportsAndReportsAgreement_data() {
        QTest::addColumn<int>("format");
        QTest::addColumn<bool>("withPreprocessing");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("torchscript with preprocessing")
            << int(ExportFormat::TorchScript) << true << 1e-5;
        QTest::newRow("onnx") << int(ExportFormat::Onnx) << false << 1e-4;
    }

    void exportsAndReportsAgreement() {
        QFETCH(int, format);
        QFETCH(bool, withPreprocessing);
        QFETCH(double, tolerance);
        ui::ExportDialog dialog;
        dialog.setSource(m_source);
        dialog.setValidationImages(m_images);
        dialog.setOutputPath(QDir(m_folder).filePath(QStringLiteral("dialog-export")));
        dialog.setFormat(ExportFormat(format), withPreprocessing);
        QSignalSpy finished(&dialog, &ui::ExportDialog::exportFinished);
        QVERIFY(dialog.startExport());
        QVERIFY(dialog.isRunning());
        QVERIFY(!dialog.findChild<QLineEdit*>(QStringLiteral("output"))->isEnabled());
        QVERIFY(!dialog.startExport()); // one at a time
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().toBool(), true);
        QVERIFY(!dialog.isRunning());

        const auto& outcome = dialog.lastOutcome();
        QVERIFY(outcome && outcome->ok());
        QCOMPARE(outcome->result.files.first(), dialog.outputPath());
        QVERIFY(QFileInfo(dialog.outputPath()).size() > 0);
        QVERIFY(QFile::exists(companionPath(dialog.outputPath(), QStringLiteral("md"))));
        QVERIFY(outcome->agreement);
        QCOMPARE(outcome->agreement->compared, 6);
        QCOMPARE(outcome->agreement->identical, 6);
        QVERIFY2(outcome->agreement->maxProbabilityDifference <= tolerance,
                 qPrintable(QString::number(outcome->agreement->maxProbabilityDifference)));
        QVERIFY2(dialog.resultText().contains(QLatin1String("the same prediction for 6 of 6 images "
                                                            "(100.0 %)")),
                 qPrintable(dialog.resultText()));
        QCOMPARE(dialog.findChild<QProgressBar*>(QStringLiteral("progress"))->value(), 1);
    }

    // The Grad-CAM box reaches the export: the file has gradcam() and says so in its
    // torchcanvas.json. With TC_SCREENSHOT_DIR set, the dialog after the export is saved there.
    void exportsWithGradCam() {
        ui::ExportDialog dialog;
        dialog.setSource(m_source);
        dialog.setValidationImages(m_images);
        dialog.setOutputPath(QDir(m_folder).filePath(QStringLiteral("gradcam.pt")));
        dialog.setFormat(ExportFormat::TorchScript, true);
        auto* explanations = dialog.findChild<QCheckBox*>(QStringLiteral("withExplanations"));
        QVERIFY(explanations && explanations->isEnabled());
        explanations->setChecked(true);
        QVERIFY(dialog.withExplanations());
        dialog.setFormat(ExportFormat::Onnx);
        QVERIFY(!explanations->isEnabled());
        QVERIFY(!dialog.withExplanations());
        dialog.setFormat(ExportFormat::TorchScript, true);
        QVERIFY(dialog.withExplanations());

        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy finished(&dialog, &ui::ExportDialog::exportFinished);
        QVERIFY(dialog.startExport());
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().toBool(), true);
        QString error;
        const std::optional<VerifiedScript> script =
            loadVerifiedTorchScript(dialog.outputPath(), &error);
        QVERIFY2(script, qPrintable(error));
        QVERIFY(script->metadata.value(QStringLiteral("explanations")).toBool());
        QVERIFY(script->module.find_method("gradcam").has_value());
        QVERIFY2(dialog.resultText().contains(QLatin1String("6 of 6")),
                 qPrintable(dialog.resultText()));
        // The result grows the dialog when its layout request is handled.
        QCoreApplication::processEvents();
        const QString screenshots = qEnvironmentVariable("TC_SCREENSHOT_DIR");
        if (!screenshots.isEmpty())
            QVERIFY(dialog.grab().save(
                QDir(screenshots).filePath(QStringLiteral("export-gradcam.png"))));
    }

    void failureIsShown() {
        ui::ExportDialog dialog;
        dialog.setSource(QDir(m_folder).filePath(QStringLiteral("missing-run")));
        dialog.setOutputPath(QDir(m_folder).filePath(QStringLiteral("never.onnx")));
        QSignalSpy finished(&dialog, &ui::ExportDialog::exportFinished);
        QVERIFY(dialog.startExport());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY2(dialog.resultText().contains(QLatin1String("missing-run: no such file or folder")),
                 qPrintable(dialog.resultText()));
        QVERIFY(!QFile::exists(QDir(m_folder).filePath(QStringLiteral("never.onnx"))));

        ui::ExportDialog empty;
        QVERIFY(!empty.startExport());
        QVERIFY(empty.resultText().contains(QLatin1String("Choose the model")));
    }

    void destroyingDuringAnExportDoesNotHang() {
        QStringList many;
        for (int i = 0; i < 40; ++i)
            many << m_images;
        auto* dialog = new ui::ExportDialog;
        dialog->setSource(m_source);
        dialog->setValidationImages(many);
        dialog->setOutputPath(QDir(m_folder).filePath(QStringLiteral("cancelled.pt")));
        QVERIFY(dialog->startExport());
        delete dialog; // cancels the check and waits for the worker
        // The file is either fully written or absent, never half-written.
        const QString path = QDir(m_folder).filePath(QStringLiteral("cancelled.pt"));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
    }

    void closeCancelsTheCheck() {
        QStringList many;
        for (int i = 0; i < 40; ++i)
            many << m_images;
        ui::ExportDialog dialog;
        dialog.setSource(m_source);
        dialog.setValidationImages(many);
        dialog.setOutputPath(QDir(m_folder).filePath(QStringLiteral("closed.pt")));
        QSignalSpy finished(&dialog, &ui::ExportDialog::exportFinished);
        QSignalSpy rejected(&dialog, &QDialog::rejected);
        QVERIFY(dialog.startExport());
        dialog.reject(); // Escape / Close while running: cancel, close when the worker stops
        QVERIFY(finished.wait(120000));
        QCOMPARE(rejected.count(), 1);
        QVERIFY(dialog.lastOutcome());
        // The file was written; the check may have finished before the request arrived.
        QVERIFY(dialog.lastOutcome()->result.ok());
        if (dialog.lastOutcome()->cancelled)
            QVERIFY(dialog.resultText().contains(QLatin1String("cancelled")));
    }
};

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
