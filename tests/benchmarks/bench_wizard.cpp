// Data Wizard benchmark, outside ctest: how long the Check page's scan of a BreaKHis-sized
// data set takes, how responsive the GUI thread stays meanwhile (a 5 ms timer probe: the gaps
// between its ticks), and how long the Split page takes to recount a grouped split.
//
//   cmake --build build --target bench_wizard
//   QT_QPA_PLATFORM=offscreen build/tests/bench_wizard [DATA_DIR]
//
// DATA_DIR holds (or receives) a synthetic BreaKHis 400X set: 547 benign and 1146 malignant
// 700×460 PNGs of 82 patients, as `torchcanvas demo-data` writes it.

#include "core/data/SyntheticHistology.h"
#include "ui/data/CheckPage.h"
#include "ui/data/DataWizard.h"
#include "ui/data/SourcePage.h"
#include "ui/data/SplitPage.h"

#include <algorithm>
#include <cstdio>
#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSpinBox>
#include <QTimer>
#include <vector>

namespace {

struct Probe {
    std::vector<double> gapsMs;
    QElapsedTimer clock;
    double last = 0;
};

void printGaps(const char* what, std::vector<double> gaps) {
    std::sort(gaps.begin(), gaps.end());
    if (gaps.empty())
        return;
    const auto at = [&gaps](double q) {
        return gaps[size_t(q * double(gaps.size() - 1))];
    };
    std::printf("%s: %zu ticks of a 5 ms timer, gap median %.1f ms, p99 %.1f ms, max %.1f ms\n",
                what, gaps.size(), at(0.5), at(0.99), gaps.back());
}

/// Runs the scan (header check, or full decode) and reports its time and the GUI gaps.
void measureScan(tc::ui::DataWizard& wizard, bool decode) {
    tc::ui::CheckPage* page = wizard.checkPage();
    Probe probe;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&probe]() {
        const double now = double(probe.clock.nsecsElapsed()) / 1e6;
        probe.gapsMs.push_back(now - probe.last);
        probe.last = now;
    });
    QEventLoop loop;
    QObject::connect(page, &tc::ui::CheckPage::scanFinished, &loop, &QEventLoop::quit);
    QElapsedTimer wall;
    probe.clock.start();
    timer.start();
    wall.start();
    if (decode)
        page->decodeBox()->setChecked(true); // starts a new scan
    else
        wizard.next();
    loop.exec();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    timer.stop();
    std::printf("scan (%s): %.2f s for %zu rows\n", decode ? "full decode" : "headers", seconds,
                size_t(wizard.classCounts().empty()
                           ? 0
                           : wizard.classCounts()[0] + wizard.classCounts()[1]));
    printGaps("  GUI thread during the scan", probe.gapsMs);
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const QString directory = argc > 1 ? QString::fromLocal8Bit(argv[1])
                                       : QDir::current().filePath(QStringLiteral("bench-wizard"));
    const QString csv = QDir(directory).filePath(QStringLiteral("dataset.csv"));
    if (!QFileInfo::exists(csv)) {
        tc::data::SyntheticHistologyOptions options;
        options.directory = directory;
        QElapsedTimer timer;
        timer.start();
        const auto result = tc::data::SyntheticHistology::generate(options);
        if (!result.ok()) {
            std::fprintf(stderr, "%s\n", qPrintable(result.error));
            return 1;
        }
        std::printf("generated %d images in %.1f s\n", result.images,
                    double(timer.elapsed()) / 1000.0);
    }

    tc::ui::DataWizard wizard(tc::data::DatasetSettings{}, tc::data::SplitSettings{},
                              tc::data::PreprocessingSettings{}, directory);
    wizard.show();
    wizard.sourcePage()->setSource(csv);
    wizard.next(); // Columns
    measureScan(wizard, /*decode=*/false);
    measureScan(wizard, /*decode=*/true);

    wizard.next(); // Split
    tc::ui::SplitPage* split = wizard.splitPage();
    split->groupModeBox()->setCurrentIndex(
        split->groupModeBox()->findData(int(tc::data::GroupSettings::Mode::BreakHis)));
    QElapsedTimer timer;
    const int repeats = 20;
    timer.start();
    for (int i = 0; i < repeats; ++i)
        split->trainBox()->setValue(i % 2 ? 70 : 60); // each change recounts the split
    std::printf("split page recount, grouped by patient (%d patients): %.1f ms each\n",
                split->groupCount(), double(timer.nsecsElapsed()) / 1e6 / repeats);
    split->groupModeBox()->setCurrentIndex(0);
    timer.restart();
    for (int i = 0; i < repeats; ++i)
        split->trainBox()->setValue(i % 2 ? 70 : 60);
    std::printf("split page recount, ungrouped: %.1f ms each\n",
                double(timer.nsecsElapsed()) / 1e6 / repeats);
    return 0;
}
