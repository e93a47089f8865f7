#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <QString>

namespace tc::data {

/// Options of the synthetic histology generator (`torchcanvas demo-data`).
struct SyntheticHistologyOptions {
    QString directory; ///< output folder: data/train/<label>/*.png and dataset.csv go here
    int benign = 547;
    int malignant = 1146;
    int width = 700;
    int height = 460;
    int patients = 82;
    std::uint64_t seed = 1;
    /// 0…1: how much the two classes overlap. A perfect classifier tops out near
    /// 1 - difficulty / 2 (see SyntheticHistology), so 0.25 caps accuracy near 87.5 %.
    double difficulty = 0.25;
    int threads = 0;        ///< 0: one per core
    bool overwrite = false; ///< replace an earlier demo data set in `directory`
};

struct SyntheticHistologyResult {
    bool ok() const { return error.isEmpty(); }

    QString error;  ///< one sentence naming the file when something could not be written
    int images = 0; ///< images written
    int benignPatients = 0;
    int malignantPatients = 0;
    QString csvPath; ///< <directory>/dataset.csv
    double seconds = 0;
};

/// Generates a synthetic H&E-like histology data set in the layout and naming of BreaKHis
/// 400X, so the whole TorchCanvas workflow can be run and tested without patient data.
///
/// SYNTHETIC DATA: the images are drawn from a simple stochastic model, not from tissue.
/// Pink eosin-stained stroma with fibres, purple haematoxylin-stained nuclei; benign images
/// have sparse, small, regular nuclei and glands (nuclei ringed around a lumen); malignant
/// images have crowded, enlarged, irregular, darker nuclei in clusters. Colours come from
/// Beer-Lambert mixing of haematoxylin and eosin optical densities.
///
/// Difficulty: each image has a latent "malignancy" score drawn from N(+s, 1) (malignant) or
/// N(-s, 1) (benign), with s = Φ⁻¹(1 - difficulty / 2), partly shared by the images of one
/// patient; every visual feature that differs between the classes is a function of that
/// score only. So no classifier can beat ~(1 - difficulty / 2) in expectation, and a patient-
/// aware split matters. Patients also differ in stain colour, intensity and tissue texture
/// (the same way in both classes). Subtypes appear in file names only, so that they leak no
/// class information beyond the score.
///
/// Deterministic: every image is drawn from (seed, its index), so the same options give the
/// same bytes whatever the number of threads.
class SyntheticHistology {
public:
    static constexpr double kDefaultDifficulty = 0.25;

    /// An empty string when the options are usable, else one sentence saying why not.
    static QString validate(const SyntheticHistologyOptions& options);

    /// Writes the data set. `progress(done, total)` is called on the calling thread;
    /// `cancel` is polled between images.
    static SyntheticHistologyResult generate(const SyntheticHistologyOptions& options,
                                             const std::function<void(int, int)>& progress = {},
                                             const std::atomic<bool>* cancel = nullptr);

    /// The expected accuracy ceiling for a difficulty: 1 - difficulty / 2.
    static double accuracyCeiling(double difficulty) { return 1.0 - difficulty / 2.0; }
};

} // namespace tc::data
