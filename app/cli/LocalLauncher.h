#pragma once

#include <chrono>
#include <QString>
#include <QStringList>

namespace tc::cli {

/// `torchcanvas train --nproc N`: starts N copies of this binary as the ranks of one
/// data-parallel job on this machine (torchrun's environment: RANK, LOCAL_RANK, WORLD_SIZE,
/// MASTER_ADDR=127.0.0.1 and a free MASTER_PORT; TORCHCANVAS_THREADS a share of the cores
/// each unless already set) and waits for them. A rank that fails or dies is named at once;
/// the others get `grace` to end on their own (they notice the lost peer themselves) and are
/// then terminated, so the launcher never waits forever. SIGINT reaches the workers from the
/// terminal; SIGTERM is passed on to them. Returns 0 when every rank succeeded, else the
/// first failing rank's exit status (1 for a rank killed by a signal).
int launchLocalWorkers(const QStringList& workerArguments, int processes,
                       std::chrono::seconds grace);

/// A TCP port on 127.0.0.1 that nothing listens on right now; 0 when none could be found.
int freeLoopbackPort();

} // namespace tc::cli
