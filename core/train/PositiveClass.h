#pragma once

// Torch-free: the trainer and the Test view agree on which class a decision is about.

#include <QStringList>

namespace tc::train {

/// The class a screening decision is about, by its usual names (malignant, positive, tumour,
/// cancer, abnormal, …, any case), else the last class (class 1 of a binary problem, as
/// scikit-learn's pos_label).
int defaultPositiveClass(const QStringList& classNames);

} // namespace tc::train
