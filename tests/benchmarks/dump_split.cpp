// Writes the train / validation / test lists of a project's split, as `train` makes it, so that
// the Python peer of the seed-job benchmark (seed_job_peer.py) trains on exactly the same
// images. Not a test; built by `cmake --build build --target dump_split`.
//
//   dump_split PROJECT OUT_DIR   → OUT_DIR/{train,validation,test}.csv ("path,label,class")

#include "core/data/DataSettings.h"
#include "core/data/PreparedDataset.h"
#include "core/graph/Project.h"

#include <cstdio>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

namespace {

int fail(const QString& message) {
    std::fprintf(stderr, "dump_split: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3)
        return fail(QStringLiteral("usage: dump_split PROJECT OUT_DIR"));
    const QString projectPath = args[1];
    const QString outDir = args[2];

    tc::graph::Project project;
    QString error;
    if (!project.load(projectPath, &error))
        return fail(error);
    auto dataset = tc::data::DatasetSettings::fromJson(project.dataset(), &error);
    if (!dataset)
        return fail(projectPath + QStringLiteral(": dataset: ") + error);
    auto split = tc::data::SplitSettings::fromJson(project.split(), &error);
    if (!split)
        return fail(projectPath + QStringLiteral(": split: ") + error);
    dataset->source = project.datasetSource();

    // The same import options and base directory as tc::train::trainProject, so that the
    // rows, groups and therefore the split are identical.
    tc::data::ImportOptions options;
    options.check = tc::data::ImageCheck::Exists;
    const auto data = tc::data::PreparedDataset::prepare(
        *dataset, *split, QFileInfo(projectPath).absolutePath(), options);
    if (!data.ok())
        return fail(data.error);

    if (!QDir().mkpath(outDir))
        return fail(QStringLiteral("cannot create %1").arg(outDir));
    const auto& rows = data.table.rows();
    const QStringList& classes = data.table.classNames();
    for (auto part :
         {tc::data::SplitPart::Train, tc::data::SplitPart::Validation, tc::data::SplitPart::Test}) {
        const QString path = QDir(outDir).filePath(tc::data::partName(part) + ".csv");
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        QTextStream out(&file);
        out << "path,label,class\n";
        for (int row : data.split.rows(part)) {
            const auto& r = rows[size_t(row)];
            out << r.absolutePath << ',' << r.label << ',' << classes.indexOf(r.label) << '\n';
        }
        std::printf("%s: %d images\n", qPrintable(tc::data::partName(part)),
                    data.split.count(part));
    }
    return 0;
}
