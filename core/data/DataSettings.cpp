#include "core/data/DataSettings.h"

#include <cmath>
#include <QRegularExpression>
#include <QStringList>

namespace tc::data {

namespace {

/// Reads one JSON section, collecting the first error with the key's full name
/// ("preprocessing.augmentation.cropScale").
class SectionReader {
public:
    SectionReader(const QJsonObject& json, QString section, QStringList known)
        : m_json(json)
        , m_section(std::move(section)) {
        for (auto it = json.begin(); it != json.end(); ++it) {
            if (!known.contains(it.key())) {
                fail(QStringLiteral("%1: unknown key '%2' (expected one of: %3)")
                         .arg(m_section, it.key(), known.join(QStringLiteral(", "))));
                break;
            }
        }
    }

    bool failed() const { return !m_error.isEmpty(); }
    const QString& error() const { return m_error; }

    void fail(const QString& message) {
        if (m_error.isEmpty())
            m_error = message;
    }

    QString name(const QString& key) const { return m_section + QLatin1Char('.') + key; }

    void readString(const QString& key, QString& target) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        if (!value.isString())
            return fail(QStringLiteral("%1 must be a string, not %2").arg(name(key), show(value)));
        target = value.toString();
    }

    /// An array of strings.
    void readStringList(const QString& key, QStringList& target) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        if (!value.isArray())
            return fail(QStringLiteral("%1 must be an array of strings, not %2")
                            .arg(name(key), show(value)));
        QStringList strings;
        const QJsonArray array = value.toArray();
        for (const QJsonValue& element : array) {
            if (!element.isString())
                return fail(QStringLiteral("%1 must be an array of strings, not one holding %2")
                                .arg(name(key), show(element)));
            strings << element.toString();
        }
        target = strings;
    }

    void readBool(const QString& key, bool& target) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        if (!value.isBool())
            return fail(
                QStringLiteral("%1 must be true or false, not %2").arg(name(key), show(value)));
        target = value.toBool();
    }

    void readInt(const QString& key, int& target, int low, int high) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || number != std::floor(number) || number < low || number > high)
            return fail(QStringLiteral("%1 must be a whole number from %2 to %3, not %4")
                            .arg(name(key))
                            .arg(low)
                            .arg(high)
                            .arg(show(value)));
        target = int(number);
    }

    void readSeed(const QString& key, quint64& target) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        // JSON numbers are doubles: integers are exact up to 2^53.
        constexpr double kMax = 9007199254740992.0;
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || number != std::floor(number) || number < 0 || number > kMax)
            return fail(QStringLiteral("%1 must be a whole number from 0 to 2^53, not %2")
                            .arg(name(key), show(value)));
        target = quint64(number);
    }

    /// A number in [low, high] (or [low, high) when `highOpen`).
    void readFraction(const QString& key, double& target, double low, double high, bool highOpen) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return;
        const double number = value.toDouble(std::nan(""));
        const bool inRange = number >= low && (highOpen ? number < high : number <= high);
        if (!value.isDouble() || !inRange)
            return fail(QStringLiteral("%1 must be a number in [%2, %3%4, not %5")
                            .arg(name(key))
                            .arg(low)
                            .arg(high)
                            .arg(highOpen ? QStringLiteral(")") : QStringLiteral("]"))
                            .arg(show(value)));
        target = number;
    }

    /// One of `choices` (the JSON spelling); returns its index, or -1 when absent.
    int readChoice(const QString& key, const QStringList& choices) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return -1;
        const int index = value.isString() ? int(choices.indexOf(value.toString())) : -1;
        if (index < 0)
            fail(QStringLiteral("%1 must be one of %2, not %3")
                     .arg(name(key), choices.join(QStringLiteral(", ")), show(value)));
        return index;
    }

    /// A nested object; absent gives an empty object.
    QJsonObject readObject(const QString& key) {
        const QJsonValue value = m_json.value(key);
        if (value.isUndefined())
            return {};
        if (!value.isObject()) {
            fail(QStringLiteral("%1 must be an object, not %2").arg(name(key), show(value)));
            return {};
        }
        return value.toObject();
    }

    static QString show(const QJsonValue& value) {
        switch (value.type()) {
        case QJsonValue::Null:
            return QStringLiteral("null");
        case QJsonValue::Bool:
            return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Double:
            return QString::number(value.toDouble(), 'g', 17);
        case QJsonValue::String:
            return QLatin1Char('"') + value.toString() + QLatin1Char('"');
        case QJsonValue::Array:
            return QStringLiteral("an array");
        case QJsonValue::Object:
            return QStringLiteral("an object");
        case QJsonValue::Undefined:
            break;
        }
        return QStringLiteral("nothing");
    }

private:
    const QJsonObject& m_json;
    QString m_section;
    QString m_error;
};

template <typename T>
std::optional<T> finish(const SectionReader& reader, T value, QString* error) {
    if (reader.failed()) {
        if (error)
            *error = reader.error();
        return std::nullopt;
    }
    return value;
}

const QStringList kGroupModes = {QStringLiteral("none"), QStringLiteral("breakhis"),
                                 QStringLiteral("column"), QStringLiteral("regex")};
const QStringList kResizeModes = {QStringLiteral("stretch"), QStringLiteral("shorter-side-crop")};
const QStringList kNormalizations = {QStringLiteral("imagenet"), QStringLiteral("none")};

std::optional<GroupSettings> groupsFromJson(const QJsonObject& json, const QString& section,
                                            QString* error) {
    SectionReader reader(
        json, section,
        {QStringLiteral("mode"), QStringLiteral("column"), QStringLiteral("pattern")});
    GroupSettings settings;
    const int mode = reader.readChoice(QStringLiteral("mode"), kGroupModes);
    if (mode >= 0)
        settings.mode = GroupSettings::Mode(mode);
    reader.readString(QStringLiteral("column"), settings.column);
    reader.readString(QStringLiteral("pattern"), settings.pattern);
    if (!reader.failed()) {
        if (settings.mode == GroupSettings::Mode::Column && settings.column.isEmpty())
            reader.fail(QStringLiteral("%1 is \"column\" but %2 is empty")
                            .arg(reader.name(QStringLiteral("mode")),
                                 reader.name(QStringLiteral("column"))));
        if (settings.mode == GroupSettings::Mode::Regex) {
            const QRegularExpression regex(settings.pattern);
            if (settings.pattern.isEmpty())
                reader.fail(QStringLiteral("%1 is \"regex\" but %2 is empty")
                                .arg(reader.name(QStringLiteral("mode")),
                                     reader.name(QStringLiteral("pattern"))));
            else if (!regex.isValid())
                reader.fail(QStringLiteral("%1 is not a valid regular expression: %2")
                                .arg(reader.name(QStringLiteral("pattern")), regex.errorString()));
        }
    }
    return finish(reader, settings, error);
}

} // namespace

// ---- GroupSettings ----------------------------------------------------------------------

QJsonObject GroupSettings::toJson() const {
    QJsonObject json{{QStringLiteral("mode"), kGroupModes.at(int(mode))}};
    if (!column.isEmpty())
        json.insert(QStringLiteral("column"), column);
    if (!pattern.isEmpty())
        json.insert(QStringLiteral("pattern"), pattern);
    return json;
}

std::optional<GroupSettings> GroupSettings::fromJson(const QJsonObject& json, QString* error) {
    return groupsFromJson(json, QStringLiteral("dataset.groups"), error);
}

bool GroupSettings::operator==(const GroupSettings& other) const {
    return mode == other.mode && column == other.column && pattern == other.pattern;
}

// ---- DatasetSettings --------------------------------------------------------------------

QJsonObject DatasetSettings::toJson() const {
    QJsonObject json{{QStringLiteral("source"), source}};
    if (!imageColumn.isEmpty())
        json.insert(QStringLiteral("imageColumn"), imageColumn);
    if (!labelColumn.isEmpty())
        json.insert(QStringLiteral("labelColumn"), labelColumn);
    json.insert(QStringLiteral("groups"), groups.toJson());
    if (!classes.isEmpty())
        json.insert(QStringLiteral("classes"), QJsonArray::fromStringList(classes));
    return json;
}

std::optional<DatasetSettings> DatasetSettings::fromJson(const QJsonObject& json, QString* error) {
    SectionReader reader(json, QStringLiteral("dataset"),
                         {QStringLiteral("source"), QStringLiteral("imageColumn"),
                          QStringLiteral("labelColumn"), QStringLiteral("groups"),
                          QStringLiteral("classes")});
    DatasetSettings settings;
    reader.readString(QStringLiteral("source"), settings.source);
    reader.readString(QStringLiteral("imageColumn"), settings.imageColumn);
    reader.readString(QStringLiteral("labelColumn"), settings.labelColumn);
    reader.readStringList(QStringLiteral("classes"), settings.classes);
    const QJsonObject groups = reader.readObject(QStringLiteral("groups"));
    if (!reader.failed()) {
        QString groupError;
        const auto parsed = groupsFromJson(groups, QStringLiteral("dataset.groups"), &groupError);
        if (parsed)
            settings.groups = *parsed;
        else
            reader.fail(groupError);
    }
    return finish(reader, settings, error);
}

bool DatasetSettings::operator==(const DatasetSettings& other) const {
    return source == other.source && imageColumn == other.imageColumn &&
           labelColumn == other.labelColumn && groups == other.groups && classes == other.classes;
}

// ---- SplitSettings ----------------------------------------------------------------------

QJsonObject SplitSettings::toJson() const {
    QJsonObject json{
        {QStringLiteral("train"), train},     {QStringLiteral("validation"), validation},
        {QStringLiteral("test"), test},       {QStringLiteral("stratify"), stratify},
        {QStringLiteral("grouped"), grouped}, {QStringLiteral("seed"), double(seed)}};
    if (!column.isEmpty())
        json.insert(QStringLiteral("column"), column);
    return json;
}

std::optional<SplitSettings> SplitSettings::fromJson(const QJsonObject& json, QString* error) {
    SectionReader reader(json, QStringLiteral("split"),
                         {QStringLiteral("train"), QStringLiteral("validation"),
                          QStringLiteral("test"), QStringLiteral("stratify"),
                          QStringLiteral("grouped"), QStringLiteral("seed"),
                          QStringLiteral("column")});
    SplitSettings settings;
    reader.readInt(QStringLiteral("train"), settings.train, 0, 100);
    reader.readInt(QStringLiteral("validation"), settings.validation, 0, 100);
    reader.readInt(QStringLiteral("test"), settings.test, 0, 100);
    reader.readBool(QStringLiteral("stratify"), settings.stratify);
    reader.readBool(QStringLiteral("grouped"), settings.grouped);
    reader.readSeed(QStringLiteral("seed"), settings.seed);
    reader.readString(QStringLiteral("column"), settings.column);
    if (!reader.failed() && settings.column.isEmpty()) {
        const int sum = settings.train + settings.validation + settings.test;
        if (sum != 100)
            reader.fail(QStringLiteral("split: train + validation + test must add up to 100, "
                                       "not %1 (%2 + %3 + %4)")
                            .arg(sum)
                            .arg(settings.train)
                            .arg(settings.validation)
                            .arg(settings.test));
        else if (settings.train == 0)
            reader.fail(QStringLiteral("split.train must be above 0: nothing would be trained"));
    }
    return finish(reader, settings, error);
}

bool SplitSettings::operator==(const SplitSettings& other) const {
    return train == other.train && validation == other.validation && test == other.test &&
           stratify == other.stratify && grouped == other.grouped && seed == other.seed &&
           column == other.column;
}

// ---- AugmentationSettings ---------------------------------------------------------------

bool AugmentationSettings::enabled() const {
    return horizontalFlip || verticalFlip || rotate90 || cropScale > 0 || brightness > 0 ||
           contrast > 0 || stainJitter > 0;
}

QJsonObject AugmentationSettings::toJson() const {
    return QJsonObject{{QStringLiteral("horizontalFlip"), horizontalFlip},
                       {QStringLiteral("verticalFlip"), verticalFlip},
                       {QStringLiteral("rotate90"), rotate90},
                       {QStringLiteral("cropScale"), cropScale},
                       {QStringLiteral("brightness"), brightness},
                       {QStringLiteral("contrast"), contrast},
                       {QStringLiteral("stainJitter"), stainJitter}};
}

std::optional<AugmentationSettings> AugmentationSettings::fromJson(const QJsonObject& json,
                                                                   QString* error) {
    SectionReader reader(json, QStringLiteral("preprocessing.augmentation"),
                         {QStringLiteral("horizontalFlip"), QStringLiteral("verticalFlip"),
                          QStringLiteral("rotate90"), QStringLiteral("cropScale"),
                          QStringLiteral("brightness"), QStringLiteral("contrast"),
                          QStringLiteral("stainJitter")});
    AugmentationSettings settings;
    reader.readBool(QStringLiteral("horizontalFlip"), settings.horizontalFlip);
    reader.readBool(QStringLiteral("verticalFlip"), settings.verticalFlip);
    reader.readBool(QStringLiteral("rotate90"), settings.rotate90);
    reader.readFraction(QStringLiteral("cropScale"), settings.cropScale, 0.0, 1.0, true);
    reader.readFraction(QStringLiteral("brightness"), settings.brightness, 0.0, 1.0, false);
    reader.readFraction(QStringLiteral("contrast"), settings.contrast, 0.0, 1.0, false);
    reader.readFraction(QStringLiteral("stainJitter"), settings.stainJitter, 0.0, 1.0, false);
    return finish(reader, settings, error);
}

bool AugmentationSettings::operator==(const AugmentationSettings& other) const {
    return horizontalFlip == other.horizontalFlip && verticalFlip == other.verticalFlip &&
           rotate90 == other.rotate90 && cropScale == other.cropScale &&
           brightness == other.brightness && contrast == other.contrast &&
           stainJitter == other.stainJitter;
}

// ---- PreprocessingSettings --------------------------------------------------------------

QJsonObject PreprocessingSettings::toJson() const {
    return QJsonObject{{QStringLiteral("width"), width},
                       {QStringLiteral("height"), height},
                       {QStringLiteral("resize"), kResizeModes.at(int(resize))},
                       {QStringLiteral("normalization"), kNormalizations.at(int(normalization))},
                       {QStringLiteral("augmentation"), augmentation.toJson()}};
}

std::optional<PreprocessingSettings> PreprocessingSettings::fromJson(const QJsonObject& json,
                                                                     QString* error) {
    SectionReader reader(json, QStringLiteral("preprocessing"),
                         {QStringLiteral("width"), QStringLiteral("height"),
                          QStringLiteral("resize"), QStringLiteral("normalization"),
                          QStringLiteral("augmentation")});
    PreprocessingSettings settings;
    reader.readInt(QStringLiteral("width"), settings.width, 1, kMaxSide);
    reader.readInt(QStringLiteral("height"), settings.height, 1, kMaxSide);
    const int resize = reader.readChoice(QStringLiteral("resize"), kResizeModes);
    if (resize >= 0)
        settings.resize = Resize(resize);
    const int normalization = reader.readChoice(QStringLiteral("normalization"), kNormalizations);
    if (normalization >= 0)
        settings.normalization = Normalization(normalization);
    const QJsonObject augmentation = reader.readObject(QStringLiteral("augmentation"));
    if (!reader.failed()) {
        QString augmentationError;
        const auto parsed = AugmentationSettings::fromJson(augmentation, &augmentationError);
        if (parsed)
            settings.augmentation = *parsed;
        else
            reader.fail(augmentationError);
    }
    return finish(reader, settings, error);
}

bool PreprocessingSettings::operator==(const PreprocessingSettings& other) const {
    return width == other.width && height == other.height && resize == other.resize &&
           normalization == other.normalization && augmentation == other.augmentation;
}

} // namespace tc::data
