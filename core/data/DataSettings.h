#pragma once

#include <optional>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace tc::data {

// The data sections of a project file. The project file (core/graph) keeps "dataset",
// "split" and "preprocessing" verbatim as JSON objects; these structs interpret them.
//
// fromJson() accepts a missing key as its default, and refuses anything else it does not
// understand — an unknown key (a typo), a wrong type, a value out of range — with one
// sentence naming the key, rather than silently running with a default.

/// How a row's group (for a patient-aware split) is found.
struct GroupSettings {
    enum class Mode {
        None,     ///< every image is its own group
        BreakHis, ///< the patient in a BreaKHis file name (SOB_B_F-14-29960AB-400-015.png)
        Column,   ///< the value of a CSV column
        Regex,    ///< a regular expression on the file name (first capture group, or all)
    };
    Mode mode = Mode::None;
    QString column;  ///< Mode::Column
    QString pattern; ///< Mode::Regex

    QJsonObject toJson() const;
    static std::optional<GroupSettings> fromJson(const QJsonObject& json, QString* error);
    bool operator==(const GroupSettings& other) const;
};

/// Where the data comes from: "dataset": {"source", "imageColumn", "labelColumn", "groups",
/// "classes"}.
struct DatasetSettings {
    QString source;      ///< a CSV file or a folder; relative to the project file's folder
    QString imageColumn; ///< empty: auto-detect
    QString labelColumn; ///< empty: auto-detect
    GroupSettings groups;
    /// The class names the Data Wizard found, in class-index order. A record for validation
    /// (the final layer's units must match the class count) written before any import; an
    /// import always derives the classes from the data itself. Empty: not known yet.
    QStringList classes;

    QJsonObject toJson() const;
    static std::optional<DatasetSettings> fromJson(const QJsonObject& json, QString* error);
    bool operator==(const DatasetSettings& other) const;
};

/// "split": {"train", "validation", "test", "stratify", "grouped", "seed", "column"}.
struct SplitSettings {
    int train = 70;       ///< percent; the three add up to 100
    int validation = 20;  ///< percent
    int test = 10;        ///< percent
    bool stratify = true; ///< keep the class ratios in every part
    bool grouped = true;  ///< keep every group (patient) inside one part
    quint64 seed = 42;
    /// When set, the split is read from this column (train / validation / test) instead of
    /// being drawn.
    QString column;

    QJsonObject toJson() const;
    static std::optional<SplitSettings> fromJson(const QJsonObject& json, QString* error);
    bool operator==(const SplitSettings& other) const;
};

/// Random augmentation of training images. 0 (or false) turns a transform off.
struct AugmentationSettings {
    bool horizontalFlip = false;
    bool verticalFlip = false;
    bool rotate90 = false;    ///< a random multiple of 90° (square inputs; else 0° or 180°)
    double cropScale = 0.0;   ///< [0, 1): a random crop keeping 1 - cropScale … 1 of the area
    double brightness = 0.0;  ///< [0, 1]: intensity × U(1 - b, 1 + b)
    double contrast = 0.0;    ///< [0, 1]: contrast × U(1 - c, 1 + c)
    double stainJitter = 0.0; ///< [0, 1]: H&E stain concentrations × U(1 - s, 1 + s) + U(-s, s)/10

    /// True when any transform is on, i.e. pixels differ from epoch to epoch.
    bool enabled() const;

    QJsonObject toJson() const;
    static std::optional<AugmentationSettings> fromJson(const QJsonObject& json, QString* error);
    bool operator==(const AugmentationSettings& other) const;
};

/// "preprocessing": {"width", "height", "resize", "normalization", "augmentation"}.
struct PreprocessingSettings {
    enum class Resize {
        Stretch,         ///< to width × height, ignoring the aspect ratio
        ShorterSideCrop, ///< scale so the image covers width × height, then crop the centre
    };
    enum class Normalization {
        ImageNet, ///< (x / 255 - mean) / std with ImageNet's mean and std, per RGB channel
        None,     ///< x / 255
    };
    int width = 224;
    int height = 224;
    Resize resize = Resize::Stretch;
    Normalization normalization = Normalization::ImageNet;
    AugmentationSettings augmentation;

    QJsonObject toJson() const;
    static std::optional<PreprocessingSettings> fromJson(const QJsonObject& json, QString* error);
    bool operator==(const PreprocessingSettings& other) const;

    /// Largest accepted width or height.
    static constexpr int kMaxSide = 4096;
};

} // namespace tc::data
