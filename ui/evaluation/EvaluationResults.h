#pragma once

#include "core/train/Decision.h"

#include <functional>
#include <optional>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::ui {

/// One image of an evaluation: where it is, its true class and the model's probabilities.
struct EvaluatedImage {
    QString path;                     ///< absolute, for thumbnails
    int trueClass = -1;               ///< index into EvaluationResults::classNames
    std::vector<float> probabilities; ///< one per class (softmax, no temperature)
    /// The head's raw outputs, one per class; empty when the source did not keep them (the
    /// operating point then works on `probabilities`, without temperature).
    std::vector<float> logits;
    QString group; ///< the patient (group) id; empty when the split is not grouped

    /// The class with the highest probability (the first on a tie); -1 when there are none.
    int predictedClass() const;
};

/// What the Test view shows: an evaluation of a model on the test split. Plain values, so the
/// main window can fill it from any evaluation (a trainer run, a checkpoint, a file).
struct EvaluationResults {
    QStringList classNames;
    std::vector<EvaluatedImage> images; ///< the test split
    /// The validation split through the same model: operating-point presets are chosen on it
    /// and never on `images`. Empty when unknown (presets are then unavailable).
    std::vector<EvaluatedImage> validationImages;
    /// One line shown above the numbers, e.g. "Test split of dataset.csv · run 3, epoch 12".
    QString description;
    /// The run folder the results come from: where a changed operating point is saved
    /// (operating-point.json) and what Explainer::open() explains. Empty: neither.
    QString runDirectory;
    /// What the run decided after training (threshold chosen on validation, temperature,
    /// calibration and patient figures); absent for runs that predate it.
    std::optional<tc::train::DecisionReport> decision;
    /// Where the model's backbone came from ("ImageNet (torchvision resnet50-0676ba61)",
    /// "RANDOM — not pretrained …", see nn::weightsOrigin()); empty when unknown.
    QString weightsOrigin;
    bool randomWeights = false; ///< the backbone was not pretrained: shown as a warning

    /// Empty when the results can be shown; otherwise one sentence naming the first problem
    /// (fewer than two classes, a class index out of range, a probability count that differs
    /// from the class count, a probability that is not a number in [0, 1]).
    QString validate() const;
};

/// The answer of a predictor for one image: a probability per class, or why there is none.
struct Prediction {
    std::vector<float> probabilities;
    QString error; ///< non-empty on failure: one sentence naming the file
    /// A remark that does not stop the prediction, e.g. that this CPU cannot compute the
    /// run's precision and fp32 was used.
    QString notice;

    bool ok() const { return error.isEmpty(); }
};

/// Classifies one image file. Called on a worker thread, one call at a time (never
/// concurrently with itself), so it may block for as long as a forward pass takes. The view
/// keeps a copy of the callable while a call runs, so what it captures must stay alive by
/// itself (capture a std::shared_ptr to the model, not a raw pointer). An exception it throws
/// is shown as the error.
using ImagePredictor = std::function<Prediction(const QString& imagePath)>;

} // namespace tc::ui
