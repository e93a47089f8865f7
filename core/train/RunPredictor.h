#pragma once

#include <memory>
#include <QString>
#include <QStringList>
#include <vector>

namespace tc::train {

/// Classifies single images with the model of a finished training run: the run folder's
/// project snapshot (project.tcproj) rebuilt, and the trained head of checkpoint-best.pt
/// (checkpoint-last.pt when there is no best). Preprocessing and the backbone's precision
/// are exactly the training's.
/// Torch-free interface, so the GUI can hold one. One call at a time per predictor.
class RunPredictor {
public:
    /// Opens `runDirectory`; returns nullptr and a message naming the file on failure.
    static std::unique_ptr<RunPredictor> open(const QString& runDirectory, QString* error);
    ~RunPredictor();

    QStringList classNames() const;
    /// The precision its backbone computes with: the run's recorded one ("fp32", "bf16").
    QString precision() const;
    /// One line when this machine cannot compute at the run's precision and fell back to
    /// fp32; empty otherwise.
    QString notice() const;
    /// One probability per class, or an empty vector with `error` set (unreadable image…).
    std::vector<float> predict(const QString& imagePath, QString* error);

private:
    class Impl;
    explicit RunPredictor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tc::train
