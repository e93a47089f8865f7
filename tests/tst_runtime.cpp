// Process and per-thread LibTorch settings.

#include "core/util/BuildInfo.h"
#include "core/util/Runtime.h"

#include <ATen/Parallel.h>
#include <cstdlib>
#include <cstring>
#include <QtTest>
#include <thread>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

class TestRuntime : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void processThreadCountIsApplied();
    void workerThreadsNeedConfiguring();
    void versionLineNamesLibraries();
    void largeBlocksComeFromTheHeap();
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

void TestRuntime::largeBlocksComeFromTheHeap() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    QSKIP("a sanitizer's allocator replaces glibc's malloc (mallopt is refused)");
#elif defined(__GLIBC__)
    // The user's word wins: no change to glibc's malloc.
    qunsetenv("GLIBC_TUNABLES");
    qputenv("TORCHCANVAS_MALLOC", "system");
    QVERIFY(!tc::runtime::keepFreedMemory());
    qputenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2");
    qunsetenv("TORCHCANVAS_MALLOC");
    QVERIFY(!tc::runtime::keepFreedMemory());
    qunsetenv("GLIBC_TUNABLES");

    // Otherwise a block far over glibc's 32 MiB mmap threshold is served from the heap: the
    // count of separately mapped blocks does not grow.
    QVERIFY(tc::runtime::keepFreedMemory());
    const std::size_t mappedBefore = mallinfo2().hblks;
    constexpr std::size_t kBytes = std::size_t(96) << 20;
    char* volatile block = static_cast<char*>(std::malloc(kBytes));
    QVERIFY(block != nullptr);
    std::memset(block, 1, kBytes);
    const std::size_t mappedDuring = mallinfo2().hblks;
    std::free(block);
    QCOMPARE(mappedDuring, mappedBefore);
#else
    QSKIP("glibc only");
#endif
}

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
