#pragma once

#include "core/data/SyntheticHistology.h"
#include "ui/data/TaskRunner.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QProgressDialog;
class QWidget;

namespace tc::ui {

/// Help › Open Example…: sets the flagship example up in a folder the user can write (an
/// installed copy's share/ folder is read-only and has no data). It generates the synthetic
/// histology data set there on a worker thread, behind a progress dialog that can cancel,
/// then writes a copy of the built-in example project that reads it. A folder that already
/// holds a complete set-up is reused as it is.
class ExampleSetup : public QObject {
    Q_OBJECT

public:
    /// The dialogs are parented to `window`.
    explicit ExampleSetup(QWidget* window);
    ~ExampleSetup() override;

    /// `<Documents>/TorchCanvas Example`: what the folder prompt proposes.
    static QString proposedDirectory();
    /// The project file a set-up in `directory` has.
    static QString projectPathIn(const QString& directory);

    /// The data set to generate (the full demo set by default; tests make it small).
    void setOptions(const data::SyntheticHistologyOptions& options) { m_options = options; }
    const data::SyntheticHistologyOptions& options() const { return m_options; }

    /// Starts setting up the example in `directory` (created when missing). Ends with ready()
    /// or failed(); a cancel ends with failed() and an empty message.
    void start(const QString& directory);
    void cancel();
    bool isRunning() const { return m_runner.isRunning(); }
    /// The progress dialog while running (nullptr otherwise).
    QProgressDialog* progressDialog() const { return m_progress; }

Q_SIGNALS:
    void ready(const QString& projectPath);
    /// `message` names the folder or file; empty when the user cancelled.
    void failed(const QString& message);

private:
    void finish(const QString& directory, const data::SyntheticHistologyResult& result);

    QWidget* m_window;
    data::SyntheticHistologyOptions m_options;
    QPointer<QProgressDialog> m_progress;
    /// Last: destroyed first, so that no generation thread outlives what it reports to.
    TaskRunner m_runner;
};

} // namespace tc::ui
