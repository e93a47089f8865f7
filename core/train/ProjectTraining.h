#pragma once

#include "core/data/Split.h"
#include "core/train/Distributed.h"
#include "core/train/TrainingControl.h"
#include "core/train/TrainingEvents.h"
#include "core/train/TrainingSettings.h"

#include <optional>
#include <QString>
#include <QStringList>

namespace tc::train {

/// One training run of a project, as `torchcanvas train` and the GUI's Train button ask for
/// it. Everything not given here comes from the project file.
/// Parts of a DecisionPolicy given on the command line; the rest stays the project's.
struct DecisionOverride {
    std::optional<ThresholdRule> rule;
    std::optional<double> target;    ///< with a target rule
    std::optional<double> threshold; ///< with the Fixed rule
    std::optional<bool> temperatureScaling;
    std::optional<PatientAggregation> aggregation;

    void applyTo(DecisionPolicy& policy) const {
        policy.rule = rule.value_or(policy.rule);
        policy.target = target.value_or(policy.target);
        policy.threshold = threshold.value_or(policy.threshold);
        policy.temperatureScaling = temperatureScaling.value_or(policy.temperatureScaling);
        policy.aggregation = aggregation.value_or(policy.aggregation);
    }
};

struct TrainingRequest {
    QString projectPath;
    QString dataOverride; ///< train on another CSV or folder (`--data`)
    int epochs = 0;       ///< > 0 overrides the project's epochs
    QString runDirectory; ///< empty: no files are written
    bool resume = false;
    /// With resume: accept training settings that differ from the checkpoint's.
    bool allowChangedSettings = false;
    std::optional<Precision> precision;
    /// Changes to the project's decision policy (how the operating point is chosen) for this
    /// run, e.g. `train --target-sensitivity 0.95`: what is set replaces the project's.
    DecisionOverride decision;
    QString weightsDirectory; ///< empty: the user's weights folder
    /// Root of the on-disk feature cache; empty: the user's cache folder. Used when the
    /// project's "featureCacheOnDisk" is on and `diskCache` is not turned off here.
    QString featureStoreRoot;
    bool diskCache = true;
    int loaderWorkers = -1;
    /// Where the trainable part computes: "cpu", "cuda" or "cuda:N"; empty: the project's
    /// training "device" (the GUI's choice), else cpu. A device that is not available fails
    /// the run with the reason.
    QString device;
    /// Data-parallel training: the process group this process trains in (null: alone).
    std::shared_ptr<ProcessGroup> group;
};

/// Loads the project, imports and splits its data, builds its graph into a model and trains
/// it, reporting through `observer` (onStarted() once the data and the model are ready).
/// Never throws: any failure, e.g. a missing data set or an invalid graph, is reported with
/// onError() and a Failed FinishedEvent whose message names the file and the problem.
FinishedEvent trainProject(const TrainingRequest& request, TrainingObserver& observer,
                           TrainingControl& control);

/// The absolute paths of the images in one part of the split of the project at `projectPath`
/// (its data set imported and split exactly as trainProject() does), in split order. Empty
/// with the reason in `error` when the project or its data cannot be read.
QStringList splitImagesOf(const QString& projectPath, tc::data::SplitPart part, QString* error);

} // namespace tc::train
