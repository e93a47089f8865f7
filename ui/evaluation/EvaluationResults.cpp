#include "ui/evaluation/EvaluationResults.h"

#include <cmath>

namespace tc::ui {

int EvaluatedImage::predictedClass() const {
    int best = -1;
    for (int c = 0; c < int(probabilities.size()); ++c)
        if (best < 0 || probabilities[size_t(c)] > probabilities[size_t(best)])
            best = c;
    return best;
}

QString EvaluationResults::validate() const {
    if (classNames.size() < 2)
        return QStringLiteral("an evaluation needs at least two classes, not %1")
            .arg(classNames.size());
    const int classes = int(classNames.size());
    for (size_t k = 0; k < images.size() + validationImages.size(); ++k) {
        const bool test = k < images.size();
        const size_t i = test ? k : k - images.size();
        const EvaluatedImage& image = test ? images[i] : validationImages[i];
        const QString name = image.path.isEmpty() ? QStringLiteral("image %1").arg(i + 1)
                                                  : QStringLiteral("'%1'").arg(image.path);
        if (image.trueClass < 0 || image.trueClass >= classes)
            return QStringLiteral("%1 has the true class %2, outside 0…%3")
                .arg(name)
                .arg(image.trueClass)
                .arg(classes - 1);
        if (int(image.probabilities.size()) != classes)
            return QStringLiteral("%1 has %2 probabilities for %3 classes")
                .arg(name)
                .arg(image.probabilities.size())
                .arg(classes);
        if (!image.logits.empty() && int(image.logits.size()) != classes)
            return QStringLiteral("%1 has %2 logits for %3 classes")
                .arg(name)
                .arg(image.logits.size())
                .arg(classes);
        for (float p : image.probabilities)
            if (!std::isfinite(p) || p < 0.0f || p > 1.0f)
                return QStringLiteral("%1 has a probability of %2, outside [0, 1]")
                    .arg(name)
                    .arg(double(p));
    }
    return {};
}

} // namespace tc::ui
