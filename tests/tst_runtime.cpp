// Process and per-thread LibTorch settings.

#include "core/util/BuildInfo.h"
#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <QtTest>
#include <thread>

class TestRuntime : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void processThreadCountIsApplied();
    void workerThreadsNeedConfiguring();
    void versionLineNamesLibraries();
};

void TestRuntime::processThreadCountIsApplied() {
    tc::runtime::configureProcess(3);
    QCOMPARE(tc::runtime::configuredThreadCount(), 3);
    QCOMPARE(at::get_num_threads(), 3);
    tc::runtime::configureProcess(); // back to the default: one per core
    QCOMPARE(at::get_num_threads(), tc::runtime::defaultThreadCount());
}

void TestRuntime::workerThreadsNeedConfiguring() {
    tc::runtime::configureProcess(2);
    int inWorker = 0;
    std::thread worker([&] {
        tc::runtime::configureCurrentThread();
        inWorker = at::get_num_threads();
    });
    worker.join();
    QCOMPARE(inWorker, 2);
}

void TestRuntime::versionLineNamesLibraries() {
    const tc::BuildInfo info = tc::buildInfo();
    QCOMPARE(info.torchCanvas, QStringLiteral(TORCHCANVAS_VERSION));
    QVERIFY(tc::versionLine().contains(QStringLiteral("LibTorch ") + info.libTorch));
    QVERIFY(tc::versionLine().contains(QStringLiteral("OpenCV ") + info.openCv));
}

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
