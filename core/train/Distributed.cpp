#include "core/train/Distributed.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <QStringList>
#include <thread>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace tc::train {

namespace {

/// A collective may legitimately wait long for a slower peer (an uneven share of the feature
/// cache on disk, a rank writing a checkpoint): Gloo's own time limit is generous, and a peer
/// that is gone or hung is caught by the heartbeat instead.
constexpr std::chrono::minutes kCollectiveTimeout{30};
/// How often every rank bumps its heartbeat counter in the store.
constexpr std::chrono::milliseconds kHeartbeatInterval{500};
/// After a collective failed: a peer whose heartbeat did not move for this long is lost.
constexpr std::chrono::milliseconds kSilenceAfterFailure{2500};
/// After a collective failed: how long to look for the lost peer before giving up naming it.
constexpr std::chrono::seconds kDiagnosisTime{8};
/// Exit status of a rank whose peer stopped answering while it waited in a collective.
constexpr int kExitLostPeer = 3;

std::string aliveKey(int rank) {
    return "torchcanvas/alive/" + std::to_string(rank);
}
std::string leavingKey(int rank) {
    return "torchcanvas/leaving/" + std::to_string(rank);
}

std::optional<int> intVariable(const QProcessEnvironment& environment, const char* name,
                               int minimum, int maximum, QString* error) {
    const QString text = environment.value(QLatin1String(name));
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < minimum || value > maximum) {
        *error = QStringLiteral("%1 must be a whole number in [%2, %3], not '%4'")
                     .arg(QLatin1String(name))
                     .arg(minimum)
                     .arg(maximum)
                     .arg(text);
        return std::nullopt;
    }
    return value;
}

/// The network interface Gloo talks through: GLOO_SOCKET_IFNAME when set (as torchrun honours
/// it), loopback for a job on one machine, else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> glooDevice(const DistributedConfig& config) {
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    const QString address = config.masterAddress;
    if (address == QLatin1String("localhost") || address.startsWith(QLatin1String("127.")))
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

} // namespace

QString DistributedConfig::describe() const {
    return QStringLiteral("rank %1 of %2 (local rank %3), rendezvous %4:%5")
        .arg(rank)
        .arg(worldSize)
        .arg(localRank)
        .arg(masterAddress)
        .arg(masterPort);
}

std::optional<DistributedConfig>
DistributedConfig::fromEnvironment(const QProcessEnvironment& environment, QString* error) {
    DistributedConfig config;
    if (environment.contains(QStringLiteral("TORCHCANVAS_DIST_TIMEOUT"))) {
        const auto seconds =
            intVariable(environment, "TORCHCANVAS_DIST_TIMEOUT", 1, 24 * 3600, error);
        if (!seconds)
            return std::nullopt;
        config.timeout = std::chrono::seconds(*seconds);
    }
    if (!environment.contains(QStringLiteral("WORLD_SIZE")))
        return config;
    const auto world = intVariable(environment, "WORLD_SIZE", 1, 65536, error);
    if (!world)
        return std::nullopt;
    config.worldSize = *world;
    if (config.worldSize == 1)
        return config;
    for (const char* required : {"RANK", "MASTER_ADDR", "MASTER_PORT"}) {
        if (!environment.contains(QLatin1String(required))) {
            *error = QStringLiteral("WORLD_SIZE is %1 but %2 is not set (torchrun sets RANK, "
                                    "LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)")
                         .arg(config.worldSize)
                         .arg(QLatin1String(required));
            return std::nullopt;
        }
    }
    const auto rank = intVariable(environment, "RANK", 0, config.worldSize - 1, error);
    if (!rank)
        return std::nullopt;
    config.rank = *rank;
    config.localRank = config.rank;
    if (environment.contains(QStringLiteral("LOCAL_RANK"))) {
        const auto local = intVariable(environment, "LOCAL_RANK", 0, config.worldSize - 1, error);
        if (!local)
            return std::nullopt;
        config.localRank = *local;
    }
    const auto port = intVariable(environment, "MASTER_PORT", 1, 65535, error);
    if (!port)
        return std::nullopt;
    config.masterPort = *port;
    config.masterAddress = environment.value(QStringLiteral("MASTER_ADDR")).trimmed();
    if (config.masterAddress.isEmpty()) {
        *error = QStringLiteral("MASTER_ADDR is empty");
        return std::nullopt;
    }
    return config;
}

// ---------------------------------------------------------------------------------------------

/// Heartbeats: every rank bumps a counter in the store; a watchdog thread watches the peers'.
/// A peer whose counter stands still for `timeout` is lost: the watchdog names it and ends
/// this process (a collective blocked on a hung peer cannot be cancelled in LibTorch 1.13).
/// After a failed collective, lostPeers() names the peers that went silent.
class Heartbeat {
public:
    Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank, int world,
              std::chrono::seconds timeout)
        : m_store(std::move(store))
        , m_rank(rank)
        , m_world(world)
        , m_timeout(timeout) {
        const auto now = std::chrono::steady_clock::now();
        for (int peer = 0; peer < m_world; ++peer)
            m_peers[peer] = {-1, now};
        m_thread = std::thread([this] { loop(); });
    }
    ~Heartbeat() {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    /// Tells the peers that this rank leaves on purpose (it is failing too), so that they do
    /// not blame it.
    void markLeaving() {
        const std::lock_guard lock(m_storeMutex);
        try {
            m_store->set(leavingKey(m_rank), std::vector<uint8_t>{1});
        } catch (const std::exception&) {
        }
    }

    /// "rank 1" / "ranks 1, 3" that stopped answering, looking for up to kDiagnosisTime.
    QString lostPeers() {
        const auto deadline = std::chrono::steady_clock::now() + kDiagnosisTime;
        while (std::chrono::steady_clock::now() < deadline) {
            QStringList lost;
            {
                const std::lock_guard lock(m_mutex);
                if (m_storeLost)
                    return QStringLiteral("rank 0 (it hosts the rendezvous store)");
                const auto now = std::chrono::steady_clock::now();
                for (const auto& [peer, seen] : m_peers) {
                    if (peer != m_rank && !seen.leaving &&
                        now - seen.changed >= kSilenceAfterFailure)
                        lost << QString::number(peer);
                }
            }
            if (!lost.isEmpty())
                return (lost.size() == 1 ? QStringLiteral("rank ") : QStringLiteral("ranks ")) +
                       lost.join(QStringLiteral(", "));
            std::this_thread::sleep_for(kHeartbeatInterval);
        }
        return {};
    }

private:
    struct Seen {
        std::int64_t count = -1;
        std::chrono::steady_clock::time_point changed;
        bool leaving = false;
    };

    void loop() {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            lock.unlock();
            beat();
            lock.lock();
            m_wake.wait_for(lock, kHeartbeatInterval, [this] { return m_stop; });
        }
    }

    void beat() {
        std::map<int, std::int64_t> counts;
        std::map<int, bool> leaving;
        bool storeLost = false;
        {
            const std::lock_guard storeLock(m_storeMutex);
            try {
                m_store->add(aliveKey(m_rank), 1);
                for (int peer = 0; peer < m_world; ++peer) {
                    if (peer == m_rank)
                        continue;
                    counts[peer] = m_store->add(aliveKey(peer), 0);
                    leaving[peer] = m_store->check({leavingKey(peer)});
                }
            } catch (const std::exception&) {
                storeLost = true; // the store lives in rank 0: rank 0 is gone
            }
        }
        const auto now = std::chrono::steady_clock::now();
        QString verdict;
        {
            const std::lock_guard lock(m_mutex);
            if (storeLost) {
                m_storeLost = true;
                if (now - m_lastContact >= m_timeout)
                    verdict = QStringLiteral("rank 0 (it hosts the rendezvous store)");
            } else {
                m_lastContact = now;
                for (const auto& [peer, count] : counts) {
                    Seen& seen = m_peers[peer];
                    seen.leaving = leaving[peer];
                    if (count != seen.count) {
                        seen.count = count;
                        seen.changed = now;
                    } else if (!seen.leaving && now - seen.changed >= m_timeout) {
                        verdict = QStringLiteral("rank %1").arg(peer);
                    }
                }
            }
        }
        if (!verdict.isEmpty()) {
            // Blocked collectives cannot be cancelled: name the peer and end the process.
            const QByteArray message =
                QStringLiteral("torchcanvas: lost %1: no heartbeat for %2 s; rank %3 stops\n")
                    .arg(verdict)
                    .arg(m_timeout.count())
                    .arg(m_rank)
                    .toUtf8();
            std::fwrite(message.constData(), 1, size_t(message.size()), stderr);
            std::fflush(stderr);
            std::_Exit(kExitLostPeer);
        }
    }

    c10::intrusive_ptr<c10d::Store> m_store;
    std::mutex m_storeMutex;
    const int m_rank;
    const int m_world;
    const std::chrono::seconds m_timeout;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_storeLost = false;
    std::chrono::steady_clock::time_point m_lastContact = std::chrono::steady_clock::now();
    std::map<int, Seen> m_peers;
    std::thread m_thread;
};

class ProcessGroup::Impl {
public:
    DistributedConfig config;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroup> group;
    QString backend;
    std::unique_ptr<Heartbeat> heartbeat;

    /// Runs a collective; a failure becomes a message naming the lost peer.
    template <typename Collective> void guarded(const char* what, Collective&& collective) {
        try {
            collective();
        } catch (const std::exception& error) {
            throw std::runtime_error(failure(what, error).toStdString());
        }
    }

    QString failure(const char* what, const std::exception& error) {
        const QString detail = QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0);
        heartbeat->markLeaving();
        const QString lost = heartbeat->lostPeers();
        if (lost.isEmpty())
            return QStringLiteral("distributed %1 failed on rank %2: %3")
                .arg(QLatin1String(what))
                .arg(config.rank)
                .arg(detail);
        return QStringLiteral("lost %1 of the %2-process group (distributed %3 failed on rank "
                              "%4: %5)")
            .arg(lost)
            .arg(config.worldSize)
            .arg(QLatin1String(what))
            .arg(config.rank)
            .arg(detail);
    }
};

struct ProcessGroup::Pending::State {
    c10::intrusive_ptr<c10d::Work> work;
    ProcessGroup::Impl* group = nullptr;
};

ProcessGroup::Pending::Pending() = default;
ProcessGroup::Pending::~Pending() = default;
ProcessGroup::Pending::Pending(Pending&&) noexcept = default;
ProcessGroup::Pending& ProcessGroup::Pending::operator=(Pending&&) noexcept = default;

void ProcessGroup::Pending::wait() {
    if (!m_state || !m_state->work)
        return;
    auto work = std::move(m_state->work);
    m_state->group->guarded("gradient all-reduce", [&] { work->wait(); });
}

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

ProcessGroup::~ProcessGroup() {
    m_impl->heartbeat.reset();
    m_impl->group.reset();
    m_impl->store.reset();
}

std::shared_ptr<ProcessGroup> ProcessGroup::join(const DistributedConfig& config, bool cuda) {
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    const std::string host = config.masterAddress.toStdString();
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(config.masterPort);
        options.isServer = config.rank == 0;
        options.numWorkers = static_cast<std::size_t>(config.worldSize);
        options.waitWorkers = true;
        options.timeout = config.timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(host, options);
        // The heartbeat has its own connection: a TCPStore client is not shared across threads.
        c10d::TCPStoreOptions client = options;
        client.isServer = false;
        client.numWorkers = c10::nullopt;
        client.waitWorkers = false;
        auto heartbeatStore = c10::make_intrusive<c10d::TCPStore>(host, client);
        if (cuda) {
#ifdef USE_C10D_NCCL
            auto nccl = c10d::ProcessGroupNCCL::Options::create();
            nccl->timeout = kCollectiveTimeout;
            impl->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, config.rank,
                                                                      config.worldSize, nccl);
            impl->backend = QStringLiteral("nccl");
#else
            throw std::runtime_error("this LibTorch was built without NCCL: distributed "
                                     "training on CUDA needs a CUDA LibTorch with NCCL");
#endif
        } else {
            auto gloo = c10d::ProcessGroupGloo::Options::create(kCollectiveTimeout);
            gloo->devices.push_back(glooDevice(config));
            impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, config.rank,
                                                                      config.worldSize, gloo);
            impl->backend = QStringLiteral("gloo");
        }
        impl->heartbeat = std::make_unique<Heartbeat>(std::move(heartbeatStore), config.rank,
                                                      config.worldSize, config.timeout);
    } catch (const std::exception& error) {
        throw std::runtime_error(
            QStringLiteral("cannot join the process group as %1: %2")
                .arg(config.describe(),
                     QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0))
                .toStdString());
    }
    return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const {
    return m_impl->config.rank;
}

int ProcessGroup::worldSize() const {
    return m_impl->config.worldSize;
}

QString ProcessGroup::backendName() const {
    return m_impl->backend;
}

void ProcessGroup::allReduceSum(at::Tensor& tensor) {
    std::vector<at::Tensor> tensors{tensor};
    allReduceSum(tensors);
}

void ProcessGroup::allReduceSum(std::vector<at::Tensor>& tensors) {
    for (at::Tensor& tensor : tensors) {
        m_impl->guarded("all-reduce", [&] {
            std::vector<at::Tensor> one{tensor};
            m_impl->group->allreduce(one)->wait();
        });
    }
}

void ProcessGroup::allReduceMax(at::Tensor& tensor) {
    m_impl->guarded("all-reduce", [&] {
        std::vector<at::Tensor> one{tensor};
        c10d::AllreduceOptions options;
        options.reduceOp = c10d::ReduceOp::MAX;
        m_impl->group->allreduce(one, options)->wait();
    });
}

std::vector<at::Tensor> ProcessGroup::allGather(const at::Tensor& tensor) {
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (int r = 0; r < worldSize(); ++r)
        outputs[0].push_back(torch::empty_like(tensor));
    std::vector<at::Tensor> inputs{tensor.contiguous()};
    m_impl->guarded("all-gather", [&] { m_impl->group->allgather(outputs, inputs)->wait(); });
    return outputs[0];
}

void ProcessGroup::barrier() {
    m_impl->guarded("barrier", [&] { m_impl->group->barrier()->wait(); });
}

ProcessGroup::Pending ProcessGroup::allReduceSumAsync(at::Tensor tensor) {
    Pending pending;
    pending.m_state = std::make_unique<Pending::State>();
    pending.m_state->group = m_impl.get();
    m_impl->guarded("gradient all-reduce", [&] {
        std::vector<at::Tensor> one{std::move(tensor)};
        pending.m_state->work = m_impl->group->allreduce(one);
    });
    return pending;
}

} // namespace tc::train
