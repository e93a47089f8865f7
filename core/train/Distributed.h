#pragma once

// Data-parallel training on PyTorch's own distributed engine (c10d): a TCPStore rendezvous and
// a Gloo process group (NCCL for CUDA tensors where the LibTorch build has it), joined with
// torchrun's environment contract. The c10d headers stay in Distributed.cpp: this header
// declares tensors only by name, so that it costs nothing to include.

#include <chrono>
#include <memory>
#include <optional>
#include <QProcessEnvironment>
#include <QString>
#include <vector>

namespace at {
class Tensor;
}

namespace tc::train {

/// Where this process stands in a data-parallel job. World size 1 is a single process: no
/// group is joined and training runs exactly as without this feature.
struct DistributedConfig {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    QString masterAddress = QStringLiteral("127.0.0.1");
    int masterPort = 29500;
    /// How long a rank waits for a peer that stopped answering (no heartbeat) before it gives
    /// up with a message naming it; also the rendezvous' time limit.
    std::chrono::seconds timeout{30};

    bool distributed() const { return worldSize > 1; }
    bool isLeader() const { return rank == 0; }
    /// "rank 1 of 2 (local rank 1), rendezvous 127.0.0.1:29500"
    QString describe() const;

    /// Reads torchrun's variables RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT
    /// (and TORCHCANVAS_DIST_TIMEOUT, seconds). Without WORLD_SIZE, a single process. A
    /// malformed or inconsistent value: std::nullopt and `error` naming the variable.
    static std::optional<DistributedConfig> fromEnvironment(const QProcessEnvironment& environment,
                                                            QString* error);
};

/// A joined c10d process group. Collectives are blocking unless named Async; each throws
/// std::runtime_error naming the lost rank when a peer dies or stops answering.
class ProcessGroup {
public:
    /// Rendezvous at config.masterAddress:masterPort (rank 0 hosts the TCPStore) and joins
    /// the group. `cuda`: tensors will live on CUDA, use NCCL when this LibTorch has it.
    /// Throws std::runtime_error when the rendezvous fails or times out.
    static std::shared_ptr<ProcessGroup> join(const DistributedConfig& config, bool cuda = false);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int worldSize() const;
    bool isLeader() const { return rank() == 0; }
    /// "gloo" or "nccl"
    QString backendName() const;

    /// Element-wise sum over all ranks, in place.
    void allReduceSum(at::Tensor& tensor);
    void allReduceSum(std::vector<at::Tensor>& tensors);
    /// Element-wise maximum over all ranks, in place.
    void allReduceMax(at::Tensor& tensor);
    /// Every rank's `tensor` (same shape on all ranks), in rank order.
    std::vector<at::Tensor> allGather(const at::Tensor& tensor);
    void barrier();

    /// A sum started in the background (Gloo's threads run it while the caller computes).
    class Pending {
    public:
        Pending();
        ~Pending();
        Pending(Pending&&) noexcept;
        Pending& operator=(Pending&&) noexcept;
        /// Blocks until the sum is in the tensor; throws like the blocking collectives.
        void wait();

    private:
        friend class ProcessGroup;
        struct State;
        std::unique_ptr<State> m_state;
    };
    Pending allReduceSumAsync(at::Tensor tensor);

private:
    class Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tc::train
