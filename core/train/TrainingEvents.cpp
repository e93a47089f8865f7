#include "core/train/TrainingEvents.h"

namespace tc::train {

QString toString(Phase phase) {
    switch (phase) {
    case Phase::Loading:
        return QStringLiteral("loading");
    case Phase::CachingFeatures:
        return QStringLiteral("caching features");
    case Phase::Training:
        return QStringLiteral("training");
    case Phase::Validating:
        return QStringLiteral("validating");
    case Phase::Testing:
        return QStringLiteral("testing");
    }
    return {};
}

QString toString(FinishReason reason) {
    switch (reason) {
    case FinishReason::Completed:
        return QStringLiteral("completed");
    case FinishReason::Stopped:
        return QStringLiteral("stopped");
    case FinishReason::EarlyStopped:
        return QStringLiteral("early stop");
    case FinishReason::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

} // namespace tc::train
