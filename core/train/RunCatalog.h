#pragma once

// Torch-free: the GUI's runs panel and the tests read run folders through this header.

#include "core/train/Decision.h"

#include <cmath>
#include <optional>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::train {

/// Where a run stands, as its files say.
enum class RunStatus {
    Completed,
    EarlyStopped,
    Stopped,
    Failed,
    InProgress, ///< no report.json yet: still training, or killed before it finished
    Unreadable, ///< report.json is damaged, or the folder holds no run files at all
};
QString toString(RunStatus status);

/// One epoch of a run's history. NaN where the run has no value (no validation split).
struct RunEpoch {
    int epoch = 0;
    double learningRate = std::nan("");
    double trainLoss = std::nan("");
    double trainAccuracy = std::nan("");
    double validationLoss = std::nan("");
    double validationAccuracy = std::nan("");
    double validationAuc = std::nan("");
};

/// A split's figures as a run recorded them. Accuracy in [0, 1].
struct RunMetrics {
    double loss = std::nan("");
    double accuracy = std::nan("");
    double balancedAccuracy = std::nan("");
    std::optional<double> auc;
    /// Binary runs: of the positive class, at `decidedBy`.
    std::optional<double> sensitivity;
    std::optional<double> specificity;
    /// How the sensitivity and specificity were decided: "argmax" or "threshold 0.31".
    QString decidedBy;
    qint64 samples = 0;
};

/// What a run folder says about its run. Everything that could not be read is named in
/// `problems` (with the file), and the rest is still filled in.
struct RunSummary {
    QString folder; ///< absolute path
    QString name;   ///< the folder's name
    QDateTime started;
    RunStatus status = RunStatus::Unreadable;
    QString finishMessage; ///< report.json's finished.message (why it stopped or failed)
    QStringList problems;

    QString model;   ///< report.json "model": the architecture in one line
    QString weights; ///< report.json "weights": the backbone's origin in one line
    bool weightsPretrained = false;
    QString dataFingerprint; ///< report.json data.fingerprint
    QStringList classNames;
    QJsonObject settings;      ///< report.json configuration.training
    QJsonObject preprocessing; ///< report.json configuration.preprocessing

    int epochsCompleted = 0;
    int bestEpoch = 0;
    std::optional<RunMetrics> validation; ///< at the best epoch (the last when none is marked)
    std::optional<RunMetrics> test;       ///< only a finished run has them
    std::optional<OperatingPoint> operatingPoint;
    std::vector<RunEpoch> history;

    bool hasReport() const {
        return status != RunStatus::InProgress && status != RunStatus::Unreadable;
    }
    /// The date and time part of the folder name ("20261201-110000" of
    /// "breakhis-20261201-110000-000"), or the whole name when it has none: short enough for
    /// a plot legend, and still found in the Runs panel at a glance.
    QString shortName() const;
    /// "completed", "stopped: stopped by the user", "in progress (no report.json yet)"…
    QString statusText() const;
    /// The backbone's origin in a few words: "ImageNet (resnet18-f37072fd.pth)", "random
    /// (chosen)", "random: no ImageNet weights found…"; `weights` has the whole line.
    QString weightsText() const;
    /// The operating point in a few words ("0.31, sensitivity ≥ 95 % on validation"), or why
    /// there is none.
    QString operatingPointText() const;
};

/// Reads one run folder. Never fails: damaged or missing files are named in `problems`.
RunSummary readRun(const QString& folder);

/// "learningRate 0.001 → 0.0001": how `run` differs from `reference` in its training and
/// preprocessing settings, model, weights origin, classes and data. Empty when they agree;
/// one "not comparable: …" text when either has no readable report.
QStringList settingsThatDiffer(const RunSummary& reference, const RunSummary& run);

/// The runs of a project or a runs folder, newest first.
///  - a project file (.tcproj): the folders in "runs" beside it whose name starts with the
///    project's base name and a dash (as the editor and `torchcanvas train` name them);
///  - a folder holding a "runs" folder (a project folder): every folder in it;
///  - any other folder: every folder in it.
/// `error` says why nothing could be listed (the path does not exist); an empty list with an
/// empty error means there are no runs yet.
std::vector<RunSummary> listRuns(const QString& projectOrFolder, QString* error = nullptr);

} // namespace tc::train
