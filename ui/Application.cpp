#include "ui/Application.h"

#include "core/util/Failure.h"

#include <QMessageBox>

namespace tc::ui {

Application::Application(int& argc, char** argv)
    : QApplication(argc, argv) {}

bool Application::notify(QObject* receiver, QEvent* event) {
    try {
        return QApplication::notify(receiver, event);
    } catch (...) {
        const QString message = util::describeCurrentException();
        // The dialog runs its own event loop; an exception inside it must not stack dialogs.
        static bool showing = false;
        if (!showing) {
            showing = true;
            showInternalError(activeWindow(), tr("handling an event"), message);
            showing = false;
        }
        return false;
    }
}

void showInternalError(QWidget* parent, const QString& what, const QString& message) {
    qWarning("torchcanvas: internal error while %s: %s", qPrintable(what), qPrintable(message));
    QMessageBox::critical(
        parent, QApplication::tr("TorchCanvas"),
        QApplication::tr("TorchCanvas hit an internal error while %1:\n\n%2\n\n"
                         "What was being done was abandoned; save your work and try again.")
            .arg(what, message));
}

} // namespace tc::ui
