#include "core/util/Failure.h"

#include <exception>
#include <new>
#include <typeinfo>

namespace tc::util {

QString describeCurrentException() {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return QStringLiteral("out of memory (std::bad_alloc)");
    } catch (const std::exception& exception) {
        const QString text = QString::fromUtf8(exception.what()).section(QLatin1Char('\n'), 0, 0);
        return text.trimmed().isEmpty() ? QStringLiteral("an unexpected error (%1)")
                                              .arg(QString::fromLatin1(typeid(exception).name()))
                                        : text.trimmed();
    } catch (...) {
        return QStringLiteral("an unknown exception");
    }
}

} // namespace tc::util
