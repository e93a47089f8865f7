// .npy output, checked by NumPy itself.

#include "core/util/Npy.h"

#include <QProcess>
#include <QtTest>

class TestNpy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numpyReadsWhatWeWrite_data();
    void numpyReadsWhatWeWrite();
    void unwritablePathIsReported();
};

void TestNpy::numpyReadsWhatWeWrite_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("columns");
    QTest::newRow("3x5") << 3 << 5;
    QTest::newRow("1x2048") << 1 << 2048;
    QTest::newRow("header length near a 64-byte boundary") << 123456 << 1;
    QTest::newRow("empty") << 0 << 2048;
}

void TestNpy::numpyReadsWhatWeWrite() {
    QFETCH(int, rows);
    QFETCH(int, columns);
    std::vector<float> values(size_t(rows) * size_t(columns));
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<float>(i) * 0.25f - 3.0f;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("features.npy"));
    QString error;
    QVERIFY2(tc::util::writeNpy(path, values.data(), rows, columns, &error), qPrintable(error));

    QProcess python;
    python.start(QStringLiteral(TORCHCANVAS_PYTHON),
                 {QStringLiteral("-c"),
                  QStringLiteral("import numpy as np, sys\n"
                                 "a = np.load(sys.argv[1])\n"
                                 "n = a.size\n"
                                 "ok = a.dtype == np.float32 and a.shape == (%1, %2) and "
                                 "np.array_equal(a.ravel(), np.arange(n, dtype=np.float32) * "
                                 "np.float32(0.25) - np.float32(3))\n"
                                 "print('ok' if ok else 'bad %s %s' % (a.dtype, a.shape))")
                      .arg(rows)
                      .arg(columns),
                  path});
    QVERIFY(python.waitForFinished(60'000));
    QCOMPARE(QString::fromUtf8(python.readAllStandardOutput()).trimmed(), QStringLiteral("ok"));
}

void TestNpy::unwritablePathIsReported() {
    const float value = 1.0f;
    QString error;
    QVERIFY(!tc::util::writeNpy(QStringLiteral("/nonexistent-dir/f.npy"), &value, 1, 1, &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent-dir/f.npy")));
}

QTEST_GUILESS_MAIN(TestNpy)
#include "tst_npy.moc"
