#pragma once

// The flagship example project, compiled into the binary so that an installed copy (whose
// share/ folder is read-only and has no data) can set it up anywhere. Torch-free.

#include <QByteArray>
#include <QString>

namespace tc::graph {

/// resources/examples/breast-cancer.tcproj as built into this binary: ResNet50
/// (ImageNet-pretrained, frozen) → Dense 128 ReLU → Dense 64 ReLU → Dense 2 softmax, on the
/// BreaKHis 400X layout, split 70/20/10 by patient.
QByteArray exampleProjectJson();

/// The file name a set-up example gets ("breast-cancer.tcproj").
QString exampleProjectFileName();

/// Writes a copy of the example project to `projectPath`, reading its images from the CSV
/// `csvPath` (stored relative to the project's folder, so the folder can be moved). The old
/// file, if any, is replaced atomically. False with `error` naming the file on failure.
bool writeExampleProject(const QString& projectPath, const QString& csvPath, QString* error);

} // namespace tc::graph
