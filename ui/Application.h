#pragma once

#include <QApplication>
#include <QString>

class QWidget;

namespace tc::ui {

/// The editor's QApplication: an exception that escapes an event handler (std::bad_alloc,
/// c10::Error, cv::Exception…) becomes an error dialog and the event is dropped, instead of
/// Qt's undefined behaviour and an abort that loses the user's work.
class Application : public QApplication {
    Q_OBJECT

public:
    Application(int& argc, char** argv);

    bool notify(QObject* receiver, QEvent* event) override;
};

/// Shows "TorchCanvas hit an internal error while <what>: <message>" in a modal dialog, on the
/// GUI thread. Called at the boundary of event handlers and background tasks.
void showInternalError(QWidget* parent, const QString& what, const QString& message);

} // namespace tc::ui
