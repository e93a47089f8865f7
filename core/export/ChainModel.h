#pragma once

// Core-internal (LibTorch) header.

#include "core/export/TrainedModel.h"
#include "core/nn/FeatureExtractor.h"

#include <memory>
#include <optional>
#include <torch/torch.h>
#include <vector>

namespace tc::exporting {

/// One component of a ChainModel as the LibTorch module the app trains (core/nn).
struct ChainLayer {
    QString type;   ///< the component's registry type, as written in the model ("Dense")
    QString prefix; ///< TrainedModel::tensorPrefix(): "backbone." or "head.<i>."
    torch::nn::AnyModule module;
    std::vector<std::int64_t> inputShape; ///< one sample, no batch dimension (the first input's)
    std::vector<std::int64_t> outputShape;
    /// The layers feeding this one, in input-port order (TrainedModel::inputsOf()); -1 is the
    /// images. A chain's layer i reads {i − 1}.
    std::vector<int> inputs;
    /// True for merge components (Add, Concatenate): forward() takes all inputs as a list.
    bool takesInputList = false;

    /// The module as its implementation class (nn::DenseImpl, nn::ResNetImpl, …), or nullptr.
    template <typename Impl> Impl* as() const { return dynamic_cast<Impl*>(module.ptr().get()); }
};

/// A TrainedModel as a chain of the app's own LibTorch modules (core/nn's buildComponent),
/// in eval mode: what `predict` runs for checkpoints and what every exported form is
/// checked against. The exporters also read the modules' resolved options (strides,
/// activations, epsilons) from here, so that a parameter means the same in every format.
///
/// Class probabilities are softmax(logits): the logits are the chain's output with the final
/// Dense layer's softmax or sigmoid left out, as the trainer computes them.
class ChainModel {
public:
    /// Builds the modules of `model.components` for `model.inputShape()` and copies
    /// `model.tensors` into them strictly: a missing, unexpected or wrong-shaped tensor is an
    /// error naming it. The output must have one value per class.
    static std::optional<ChainModel> build(const TrainedModel& model, QString* error);
    /// Builds the modules with fresh LibTorch initialisation (seeded by the caller through
    /// torch::manual_seed): for new models and tests. A ResNet is never loaded from a
    /// weights file here.
    static std::optional<ChainModel> initialise(const std::vector<ComponentSpec>& components,
                                                const std::vector<std::int64_t>& inputShape,
                                                QString* error);

    /// Computes a leading frozen ResNet with pooling through the fast backbone engine at
    /// `precision`, as training computed it, instead of the eager fp32 module (which the
    /// exporters keep reading). Fp32 or a chain without such a backbone: no change. False
    /// with a message when the engine cannot be prepared.
    bool computeBackboneAt(nn::Precision precision, QString* error);
    /// The backbone's arithmetic in logits(): fp32 unless computeBackboneAt() changed it.
    nn::Precision backbonePrecision() const;

    const std::vector<ChainLayer>& layers() const { return m_layers; }
    /// True when every layer reads the one before it (no branches, no merges).
    bool isChain() const;
    /// Shape of one output sample: {classes}.
    std::vector<std::int64_t> outputShape() const;

    /// images [N, 3, H, W] float (normalised as in training) → logits [N, classes]. No
    /// gradients; runs on the calling thread.
    torch::Tensor logits(const torch::Tensor& images);
    /// softmax(logits) over the classes.
    torch::Tensor probabilities(const torch::Tensor& images);

    /// Every parameter and buffer under TrainedModel's names, in state_dict order (each
    /// module's own parameters, then its buffers, then its children).
    nn::StateDict namedTensors() const;

private:
    /// logits() of a graph: every layer's value kept for the layers that read it.
    torch::Tensor graphLogits(const torch::Tensor& images);
    static std::optional<ChainModel> make(const std::vector<ComponentSpec>& components,
                                          const std::vector<std::int64_t>& inputShape,
                                          QString* error);

    std::vector<ChainLayer> m_layers;
    /// Set by computeBackboneAt(): runs m_layers[0] instead of its module.
    std::shared_ptr<nn::FeatureExtractor> m_backbone;
};

/// True for tensor names that are buffers (batch-norm statistics), not parameters.
bool isBufferName(const QString& name);

} // namespace tc::exporting
