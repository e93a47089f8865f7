#include "ui/editor/IconLibrary.h"

#include "core/graph/ComponentRegistry.h"

#include <memory>
#include <QFile>
#include <QGuiApplication>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>
#include <unordered_map>

namespace tc::ui {

namespace {

const QString kUnknownIcon = QStringLiteral(":/icons/components/unknown.svg");

QByteArray readResource(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// Paints an SVG whose "currentColor" is replaced, at paint time, by the palette's text
/// colour. Rendering at paint time (rather than caching one pixmap) is what keeps the icon
/// sharp at any scale and in step with theme switches.
class PaletteSvgIconEngine : public QIconEngine {
public:
    explicit PaletteSvgIconEngine(QByteArray svg)
        : m_svg(std::move(svg)) {}

    QIconEngine* clone() const override { return new PaletteSvgIconEngine(m_svg); }
    QString key() const override { return QStringLiteral("torchcanvas-palette-svg"); }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode,
               QIcon::State state) override {
        QSvgRenderer renderer(coloured(mode));
        renderer.render(painter, QRectF(rect));
        Q_UNUSED(state);
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state,
                         qreal scale) override {
        const QColor colour = colourFor(mode);
        const QString cacheKey = QStringLiteral("%1x%2@%3/%4")
                                     .arg(size.width())
                                     .arg(size.height())
                                     .arg(scale)
                                     .arg(colour.rgba());
        const auto cached = m_cache.constFind(cacheKey);
        if (cached != m_cache.constEnd())
            return *cached;
        QPixmap pixmap(size * scale);
        pixmap.fill(Qt::transparent);
        {
            QPainter painter(&pixmap);
            QSvgRenderer renderer(coloured(mode));
            renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(size * scale)));
        }
        pixmap.setDevicePixelRatio(scale);
        if (m_cache.size() > 32)
            m_cache.clear();
        m_cache.insert(cacheKey, pixmap);
        Q_UNUSED(state);
        return pixmap;
    }

private:
    static QColor colourFor(QIcon::Mode mode) {
        const QPalette palette = QGuiApplication::palette();
        switch (mode) {
        case QIcon::Disabled:
            return palette.color(QPalette::Disabled, QPalette::WindowText);
        case QIcon::Selected:
            return palette.color(QPalette::HighlightedText);
        default:
            return palette.color(QPalette::WindowText);
        }
    }

    QByteArray coloured(QIcon::Mode mode) const {
        QByteArray svg = m_svg;
        svg.replace("currentColor", colourFor(mode).name().toLatin1());
        return svg;
    }

    QByteArray m_svg;
    QHash<QString, QPixmap> m_cache;
};

} // namespace

QIcon IconLibrary::actionIcon(const QString& name) {
    const QByteArray svg = readResource(QStringLiteral(":/icons/actions/%1.svg").arg(name));
    if (svg.isEmpty())
        return {};
    return QIcon(new PaletteSvgIconEngine(svg));
}

QString IconLibrary::componentIconPath(const QString& type) {
    if (const graph::ComponentSpec* spec = graph::ComponentRegistry::instance().find(type)) {
        const QString path = spec->iconPath();
        if (QFile::exists(path))
            return path;
    }
    return kUnknownIcon;
}

QIcon IconLibrary::componentIcon(const QString& type) {
    // QIcon with an .svg file uses Qt's SVG icon engine: vector rendering at any size.
    return QIcon(componentIconPath(type));
}

QSvgRenderer* IconLibrary::componentRenderer(const QString& type) {
    // Renderers live for the whole program (a handful of small SVGs); painting reuses them.
    static std::unordered_map<std::string, std::unique_ptr<QSvgRenderer>> renderers;
    const QString path = componentIconPath(type);
    auto& renderer = renderers[path.toStdString()];
    if (!renderer)
        renderer = std::make_unique<QSvgRenderer>(path);
    return renderer.get();
}

} // namespace tc::ui
