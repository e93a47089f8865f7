#include "core/data/Diagnostic.h"

#include <QMap>

namespace tc::data {

QStringList collapsedDiagnostics(const std::vector<Diagnostic>& diagnostics, int perKind) {
    QMap<DiagnosticCode, int> seen;
    QStringList lines;
    for (const Diagnostic& diagnostic : diagnostics) {
        if (++seen[diagnostic.code] <= perKind)
            lines << diagnostic.toString();
    }
    for (auto it = seen.begin(); it != seen.end(); ++it) {
        if (it.value() > perKind)
            lines << QStringLiteral("\u2026 and %1 more like this (%2)")
                         .arg(it.value() - perKind)
                         .arg(codeName(it.key()));
    }
    return lines;
}

QString codeName(DiagnosticCode code) {
    switch (code) {
    case DiagnosticCode::WrongFieldCount:
        return QStringLiteral("wrong-field-count");
    case DiagnosticCode::MalformedQuoting:
        return QStringLiteral("malformed-quoting");
    case DiagnosticCode::InvalidEncoding:
        return QStringLiteral("invalid-encoding");
    case DiagnosticCode::EmptyPath:
        return QStringLiteral("empty-path");
    case DiagnosticCode::EmptyLabel:
        return QStringLiteral("empty-label");
    case DiagnosticCode::DuplicatePath:
        return QStringLiteral("duplicate-path");
    case DiagnosticCode::MissingFile:
        return QStringLiteral("missing-file");
    case DiagnosticCode::NotAnImage:
        return QStringLiteral("not-an-image");
    case DiagnosticCode::UnsupportedFormat:
        return QStringLiteral("unsupported-format");
    case DiagnosticCode::UnreadableImage:
        return QStringLiteral("unreadable-image");
    case DiagnosticCode::GroupNotFound:
        return QStringLiteral("group-not-found");
    case DiagnosticCode::SourceNotFound:
        return QStringLiteral("source-not-found");
    case DiagnosticCode::EmptySource:
        return QStringLiteral("empty-source");
    case DiagnosticCode::LabelCase:
        return QStringLiteral("label-case");
    case DiagnosticCode::NoHeader:
        return QStringLiteral("no-header");
    case DiagnosticCode::HeaderOnly:
        return QStringLiteral("header-only");
    case DiagnosticCode::NoImageColumn:
        return QStringLiteral("no-image-column");
    case DiagnosticCode::NoLabelColumn:
        return QStringLiteral("no-label-column");
    case DiagnosticCode::NoUsableRows:
        return QStringLiteral("no-usable-rows");
    case DiagnosticCode::OneClass:
        return QStringLiteral("one-class");
    case DiagnosticCode::SourceTooLarge:
        return QStringLiteral("source-too-large");
    case DiagnosticCode::Canceled:
        return QStringLiteral("canceled");
    }
    return QStringLiteral("unknown");
}

QString Diagnostic::toString() const {
    QString text = file;
    if (line > 0)
        text += QLatin1Char(':') + QString::number(line);
    text +=
        severity == Severity::Error ? QStringLiteral(": error: ") : QStringLiteral(": warning: ");
    return text + codeName(code) + QStringLiteral(": ") + message;
}

QJsonObject Diagnostic::toJson() const {
    return QJsonObject{{QStringLiteral("file"), file},
                       {QStringLiteral("line"), line},
                       {QStringLiteral("code"), codeName(code)},
                       {QStringLiteral("severity"), severity == Severity::Error
                                                        ? QStringLiteral("error")
                                                        : QStringLiteral("warning")},
                       {QStringLiteral("message"), message}};
}

} // namespace tc::data
