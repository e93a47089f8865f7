// A frozen ResNet backbone run directly on oneDNN, the library LibTorch itself calls for CPU
// convolutions. Compared with calling ATen op by op it:
//   - fuses each ReLU and each residual addition into the convolution that precedes it
//     (post-ops), so activations are written once instead of three times;
//   - reorders every weight into the primitive's preferred layout once, not per call;
//   - keeps activations in one layout end to end (no reorders between layers) and reuses
//     a handful of buffers for the whole network;
//   - may use Winograd F(4×4, 3×3) for the stride-1 3×3 convolutions in fp32.
// The plan (primitives and buffers) depends on the batch shape; a few are cached.

#include "core/nn/FoldedResNet.h"
#include "core/util/Runtime.h"

#ifdef TORCHCANVAS_HAVE_ONEDNN

#include <ATen/Parallel.h>
#include <list>
#include <oneapi/dnnl/dnnl.hpp>

namespace tc::nn {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using DataType = memory::data_type;

/// Activation layouts the engine can keep end to end.
enum class Layout { Nhwc, Blocked16 };

Tag tagOf(Layout layout) {
    return layout == Layout::Nhwc ? Tag::nhwc : Tag::nChw16c;
}

/// Buffers an activation can live in. A and D alternate as a block's input and output, B
/// and C hold a block's inner activations. The stem borrows B (the converted input) and D
/// (its output), which are free until layer1 starts.
enum Slot { SlotA, SlotB, SlotC, SlotD, SlotPooled, SlotCount };

bool isReference(const std::string& implementation) {
    return implementation.find("ref") != std::string::npos;
}

class OneDnnEngine final : public BackboneEngine {
public:
    OneDnnEngine(const FoldedResNet& folded, bool bf16, Pooling pooling)
        : engine_(dnnl::engine::kind::cpu, 0)
        , stream_(engine_)
        , folded_(folded)
        , type_(bf16 ? DataType::bf16 : DataType::f32)
        , pooling_(pooling) {
        // Measured on AVX-512 without AMX (docs/BENCHMARKS.md): fp32 is fastest in the
        // blocked nChw16c layout with Winograd F(4×4, 3×3) for the stride-1 3×3 convolutions
        // (+25% over nhwc, features still within 2e-6 of direct convolution); bf16 runs on
        // the brgconv kernels, which want nhwc (and use AMX where the CPU has it).
        // Without AVX-512 (an AVX2-only CPU) nChw16c convolutions, Winograd included, fall to
        // oneDNN's reference kernels: ResNet18 on 10 images did not finish in 120 s where
        // nhwc ran 19 img/s. So the blocked layout is kept for AVX-512 CPUs.
        // TORCHCANVAS_ONEDNN_LAYOUT=nhwc|blocked and TORCHCANVAS_ONEDNN_WINOGRAD=0|1 override
        // this for measurements.
        const bool blockedIsFast = !bf16 && runtime::cpuFeatures().avx512;
        layout_ = blockedIsFast ? Layout::Blocked16 : Layout::Nhwc;
        winograd_ = blockedIsFast;
        const QByteArray layout = qgetenv("TORCHCANVAS_ONEDNN_LAYOUT");
        if (layout == "nhwc")
            layout_ = Layout::Nhwc;
        else if (layout == "blocked")
            layout_ = Layout::Blocked16;
        const QByteArray winograd = qgetenv("TORCHCANVAS_ONEDNN_WINOGRAD");
        if (!winograd.isEmpty())
            winograd_ = winograd == "1" && !bf16 && layout_ == Layout::Blocked16;
        convs_.push_back(makeConv(folded_.stem));
        for (const FoldedBlock& block : folded_.blocks) {
            for (const FoldedConv& conv : block.convs)
                convs_.push_back(makeConv(conv));
            if (block.downsample)
                convs_.push_back(makeConv(*block.downsample));
        }
    }

    torch::Tensor run(const torch::Tensor& images) override {
        TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "expected [N, 3, H, W] images");
        const torch::Tensor input = images.to(torch::kFloat32).contiguous();
        Plan& plan = planFor(input.size(0), input.size(2), input.size(3));
        torch::Tensor output = torch::empty({input.size(0), folded_.channels}, torch::kFloat32);
        plan.input.set_data_handle(input.data_ptr());
        plan.output.set_data_handle(output.data_ptr());
        for (Step& step : plan.steps)
            step.primitive.execute(stream_, step.arguments);
        stream_.wait();
        return output;
    }

    QString description() const override {
        QString text =
            QStringLiteral("oneDNN %1, %2, fused ReLU and residual sums, batch norm "
                           "folded")
                .arg(type_ == DataType::bf16 ? QStringLiteral("bf16") : QStringLiteral("fp32"),
                     layout_ == Layout::Nhwc ? QStringLiteral("channels-last (nhwc)")
                                             : QStringLiteral("blocked (nChw16c)"));
        // Winograd is a request: a layer whose shape oneDNN's kernel does not take runs
        // direct convolution.
        if (winograd_ && (plans_.empty() || winogradUsed_))
            text += QStringLiteral(", Winograd 3×3");
        return text;
    }

private:
    /// A convolution's folded weights, plus the packed copies made for each layout a
    /// primitive asked for (usually one).
    struct Conv {
        const FoldedConv* spec = nullptr;
        memory plainWeights;
        memory bias;
        std::list<std::pair<memory::desc, memory>> packed;
    };

    struct Step {
        dnnl::primitive primitive;
        std::unordered_map<int, memory> arguments;
    };

    /// A pending activation: which buffer it lives in and its layout.
    struct Activation {
        Slot slot;
        memory::desc desc;
    };

    struct Plan {
        std::int64_t batch = 0, height = 0, width = 0;
        memory input;  // user's [N, 3, H, W] f32, handle set per run
        memory output; // user's [N, C] f32, handle set per run
        std::vector<Step> steps;
    };

    /// A primitive whose activations are not yet bound to buffers (pass 1 of buildPlan).
    struct Pending {
        dnnl::primitive primitive;
        std::vector<std::pair<int, Activation>> activations; // argument → buffer
        std::vector<std::pair<int, memory>> fixed;           // weights, bias
        memory::desc scratchpad;
    };

    /// Pass 1 of buildPlan in progress: the primitives so far, the bytes each slot must
    /// hold, and the latest activation, which the next primitive reads.
    struct Draft {
        std::int64_t batch = 0;
        std::vector<Pending> steps;
        std::size_t slotBytes[SlotCount] = {};
        std::size_t convIndex = 0; // the next entry of convs_
        Activation current{SlotA, memory::desc()};
        std::int64_t height = 0, width = 0; // current's spatial size

        void use(const Activation& written) {
            slotBytes[written.slot] = std::max(slotBytes[written.slot], written.desc.get_size());
        }
    };

    Conv makeConv(const FoldedConv& spec) {
        Conv conv;
        conv.spec = &spec;
        const memory::dims dims(spec.weight.sizes().begin(), spec.weight.sizes().end());
        conv.plainWeights =
            memory({dims, DataType::f32, Tag::oihw}, engine_, spec.weight.data_ptr());
        conv.bias =
            memory({{spec.bias.size(0)}, DataType::f32, Tag::a}, engine_, spec.bias.data_ptr());
        return conv;
    }

    /// Weights in the layout `desc` asks for, reordered (and converted to bf16) once.
    memory packedWeights(Conv& conv, const memory::desc& desc) {
        for (auto& [known, weights] : conv.packed) {
            if (known == desc)
                return weights;
        }
        memory weights(desc, engine_);
        dnnl::reorder(conv.plainWeights, weights).execute(stream_, conv.plainWeights, weights);
        stream_.wait();
        conv.packed.emplace_back(desc, weights);
        return weights;
    }

    memory::desc activation(std::int64_t batch, std::int64_t channels, std::int64_t height,
                            std::int64_t width) const {
        return memory::desc({batch, channels, height, width}, type_, tagOf(layout_));
    }

    /// A convolution primitive descriptor with `relu` / `sum` post-ops; `source` is fixed
    /// unless null (then oneDNN picks), `destination` is fixed.
    dnnl::convolution_forward::primitive_desc convolution(const Conv& conv,
                                                          const memory::desc* source,
                                                          const memory::desc& destination,
                                                          bool relu, bool sum) {
        const FoldedConv& spec = *conv.spec;
        const memory::dims sizes(spec.weight.sizes().begin(), spec.weight.sizes().end());
        dnnl::post_ops operations;
        if (sum)
            operations.append_sum(1.0f);
        if (relu)
            operations.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        dnnl::primitive_attr attributes;
        attributes.set_post_ops(operations);
        attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        const memory::desc weights(sizes, type_, Tag::any);
        const memory::desc bias({sizes[0]}, DataType::f32, Tag::any);
        const memory::dims strides = {spec.stride, spec.stride};
        const memory::dims padding = {spec.padding, spec.padding};
        const bool tryWinograd = winograd_ && sizes[2] == 3 && sizes[3] == 3 && spec.stride == 1;
        for (const dnnl::algorithm algorithm : {tryWinograd ? dnnl::algorithm::convolution_winograd
                                                            : dnnl::algorithm::convolution_direct,
                                                dnnl::algorithm::convolution_direct}) {
            try {
                const dnnl::convolution_forward::desc description(
                    dnnl::prop_kind::forward_inference, algorithm, *source, weights, bias,
                    destination, strides, padding, padding);
                dnnl::convolution_forward::primitive_desc pd(description, attributes, engine_);
                if (algorithm == dnnl::algorithm::convolution_winograd)
                    winogradUsed_ = true;
                return pd;
            } catch (const dnnl::error&) {
                if (algorithm == dnnl::algorithm::convolution_direct)
                    throw;
            }
        }
        throw std::runtime_error("unreachable");
    }

    Plan& planFor(std::int64_t batch, std::int64_t height, std::int64_t width) {
        for (auto it = plans_.begin(); it != plans_.end(); ++it) {
            if (it->batch == batch && it->height == height && it->width == width) {
                plans_.splice(plans_.begin(), plans_, it); // most recently used first
                return plans_.front();
            }
        }
        // A data set's last batch is usually smaller: keep a couple of plans. They share
        // their buffers, so more plans cost no memory.
        Plan plan = buildPlan(batch, height, width); // may drop plans (see pass 2)
        constexpr std::size_t kMaxPlans = 3;
        if (plans_.size() >= kMaxPlans)
            plans_.pop_back();
        plans_.push_front(std::move(plan));
        return plans_.front();
    }

    Plan buildPlan(std::int64_t batch, std::int64_t height, std::int64_t width) {
        Plan plan;
        plan.batch = batch;
        plan.height = height;
        plan.width = width;

        // Pass 1: primitive descriptors and the activations they read and write.
        Draft draft;
        draft.batch = batch;
        addStem(draft, plan, height, width);
        addMaxPool(draft);
        for (const FoldedBlock& block : folded_.blocks)
            addBlock(draft, block);
        addGlobalPool(draft, plan);

        // Pass 2: one buffer per slot and one scratchpad, shared by all plans.
        allocateBuffers(draft);

        // Pass 3: bind arguments to buffers.
        for (const Pending& step : draft.steps) {
            Step bound{step.primitive, {}};
            for (const auto& [argument, activationDesc] : step.activations) {
                bound.arguments.emplace(argument,
                                        memory(activationDesc.desc, engine_,
                                               buffers_[activationDesc.slot].get_data_handle()));
            }
            for (const auto& [argument, fixed] : step.fixed)
                bound.arguments.emplace(argument, fixed);
            if (step.scratchpad.get_size() > 0) {
                bound.arguments.emplace(DNNL_ARG_SCRATCHPAD, memory(step.scratchpad, engine_,
                                                                    scratchpad_.get_data_handle()));
            }
            plan.steps.push_back(std::move(bound));
        }
        return plan;
    }

    /// The stem convolution with its ReLU, after the reorder of the caller's images that
    /// its source layout may need.
    void addStem(Draft& draft, Plan& plan, std::int64_t height, std::int64_t width) {
        const std::int64_t batch = draft.batch;
        const memory::desc userInput({batch, 3, height, width}, DataType::f32, Tag::nchw);
        plan.input = memory(userInput, engine_, DNNL_MEMORY_NONE);

        // Let oneDNN choose the source layout (3 channels suit few layouts), but insist on a
        // real kernel, not the reference implementation.
        Conv& stem = convs_[draft.convIndex++];
        const std::int64_t stemHeight =
            (height + 2 * stem.spec->padding - 7) / stem.spec->stride + 1;
        const std::int64_t stemWidth = (width + 2 * stem.spec->padding - 7) / stem.spec->stride + 1;
        const memory::desc stemOut = activation(batch, 64, stemHeight, stemWidth);
        dnnl::convolution_forward::primitive_desc stemPd;
        for (const Tag sourceTag : {Tag::any, Tag::nchw, tagOf(layout_)}) {
            const memory::desc source({batch, 3, height, width}, type_, sourceTag);
            stemPd = convolution(stem, &source, stemOut, /*relu=*/true, /*sum=*/false);
            if (!isReference(stemPd.impl_info_str()))
                break;
        }
        const Activation converted{SlotB, stemPd.src_desc()};
        if (stemPd.src_desc() != userInput) {
            const dnnl::reorder::primitive_desc reorderPd(engine_, userInput, engine_,
                                                          stemPd.src_desc());
            draft.steps.push_back({dnnl::reorder(reorderPd),
                                   {{DNNL_ARG_TO, converted}},
                                   {{DNNL_ARG_FROM, plan.input}},
                                   memory::desc()});
            draft.use(converted);
        }
        Pending step{dnnl::convolution_forward(stemPd), {}, {}, stemPd.scratchpad_desc()};
        if (stemPd.src_desc() == userInput)
            step.fixed.emplace_back(DNNL_ARG_SRC, plan.input);
        else
            step.activations.emplace_back(DNNL_ARG_SRC, converted);
        const Activation out{SlotD, stemOut};
        step.activations.emplace_back(DNNL_ARG_DST, out);
        step.fixed.emplace_back(DNNL_ARG_WEIGHTS, packedWeights(stem, stemPd.weights_desc()));
        step.fixed.emplace_back(DNNL_ARG_BIAS, stem.bias);
        draft.use(out);
        draft.steps.push_back(std::move(step));
        draft.current = out;
        draft.height = stemHeight;
        draft.width = stemWidth;
    }

    /// Max pool 3×3, stride 2, padding 1.
    void addMaxPool(Draft& draft) {
        const std::int64_t poolHeight = (draft.height + 2 - 3) / 2 + 1;
        const std::int64_t poolWidth = (draft.width + 2 - 3) / 2 + 1;
        const Activation out{SlotA, activation(draft.batch, 64, poolHeight, poolWidth)};
        const dnnl::pooling_v2_forward::primitive_desc poolPd(
            dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                           dnnl::algorithm::pooling_max, draft.current.desc,
                                           out.desc, {2, 2}, {3, 3}, {0, 0}, {1, 1}, {1, 1}),
            scratchpadAttributes(), engine_);
        draft.steps.push_back({dnnl::pooling_v2_forward(poolPd),
                               {{DNNL_ARG_SRC, draft.current}, {DNNL_ARG_DST, out}},
                               {},
                               poolPd.scratchpad_desc()});
        draft.use(out);
        draft.current = out;
        draft.height = poolHeight;
        draft.width = poolWidth;
    }

    /// A residual block: its convolutions through the inner slots, the downsample of the
    /// shortcut if it has one, and the last convolution summed into the shortcut.
    void addBlock(Draft& draft, const FoldedBlock& block) {
        const Activation blockInput = draft.current;
        Activation x = draft.current;
        const Slot inner[2] = {SlotB, SlotC};
        std::int64_t h = draft.height;
        std::int64_t w = draft.width;
        for (std::size_t i = 0; i + 1 < block.convs.size(); ++i) {
            Conv& conv = convs_[draft.convIndex++];
            const std::int64_t k = conv.spec->weight.size(2);
            h = (h + 2 * conv.spec->padding - k) / conv.spec->stride + 1;
            w = (w + 2 * conv.spec->padding - k) / conv.spec->stride + 1;
            const Activation out{inner[i % 2],
                                 activation(draft.batch, conv.spec->weight.size(0), h, w)};
            addConv(draft, conv, x, out, /*relu=*/true, /*sum=*/false);
            x = out;
        }
        Conv& last = convs_[draft.convIndex++];
        Activation shortcut = blockInput;
        if (block.downsample) {
            Conv& downsample = convs_[draft.convIndex++];
            const Slot other = blockInput.slot == SlotA ? SlotD : SlotA;
            shortcut = {other, activation(draft.batch, downsample.spec->weight.size(0), h, w)};
            addConv(draft, downsample, blockInput, shortcut, /*relu=*/false, /*sum=*/false);
        }
        // The last conv adds into the shortcut's buffer in place, then applies ReLU.
        addConv(draft, last, x, shortcut, /*relu=*/true, /*sum=*/true);
        draft.current = shortcut;
        draft.height = h;
        draft.width = w;
    }

    void addConv(Draft& draft, Conv& conv, const Activation& source, const Activation& destination,
                 bool relu, bool sum) {
        const dnnl::convolution_forward::primitive_desc pd =
            convolution(conv, &source.desc, destination.desc, relu, sum);
        Pending step{dnnl::convolution_forward(pd),
                     {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}},
                     {{DNNL_ARG_WEIGHTS, packedWeights(conv, pd.weights_desc())},
                      {DNNL_ARG_BIAS, conv.bias}},
                     pd.scratchpad_desc()};
        draft.use(destination);
        draft.steps.push_back(std::move(step));
    }

    /// Global pooling to [N, C, 1, 1], then a reorder into the caller's [N, C] floats.
    void addGlobalPool(Draft& draft, Plan& plan) {
        const std::int64_t batch = draft.batch;
        const Activation& current = draft.current;
        const Activation out{SlotPooled,
                             memory::desc({batch, folded_.channels, 1, 1}, type_, tagOf(layout_))};
        const dnnl::algorithm algorithm = pooling_ == Pooling::Max
                                              ? dnnl::algorithm::pooling_max
                                              : dnnl::algorithm::pooling_avg_exclude_padding;
        const dnnl::pooling_v2_forward::primitive_desc poolPd(
            dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_inference, algorithm,
                                           current.desc, out.desc, {draft.height, draft.width},
                                           {draft.height, draft.width}, {0, 0}, {0, 0}, {0, 0}),
            scratchpadAttributes(), engine_);
        draft.steps.push_back({dnnl::pooling_v2_forward(poolPd),
                               {{DNNL_ARG_SRC, current}, {DNNL_ARG_DST, out}},
                               {},
                               poolPd.scratchpad_desc()});
        draft.use(out);
        const memory::desc userOutput({batch, folded_.channels, 1, 1}, DataType::f32, Tag::nchw);
        plan.output = memory(userOutput, engine_, DNNL_MEMORY_NONE);
        const dnnl::reorder::primitive_desc reorderPd(engine_, out.desc, engine_, userOutput);
        draft.steps.push_back({dnnl::reorder(reorderPd),
                               {{DNNL_ARG_FROM, out}},
                               {{DNNL_ARG_TO, plan.output}},
                               memory::desc()});
    }

    /// Grows the slot buffers and the scratchpad to what `draft` needs. Growing one moves
    /// it, so plans bound to the old one are dropped.
    void allocateBuffers(const Draft& draft) {
        std::size_t scratchpadBytes = 64;
        for (const Pending& step : draft.steps)
            scratchpadBytes = std::max(scratchpadBytes, step.scratchpad.get_size());
        bool moved = false;
        auto ensure = [&](memory& buffer, std::size_t& capacity, std::size_t bytes) {
            if (bytes <= capacity)
                return;
            buffer = memory(memory::desc({static_cast<memory::dim>(bytes)}, DataType::u8, Tag::a),
                            engine_);
            capacity = bytes;
            moved = true;
        };
        for (int slot = 0; slot < SlotCount; ++slot) {
            ensure(buffers_[slot], bufferBytes_[slot],
                   std::max<std::size_t>(draft.slotBytes[slot], 64));
        }
        ensure(scratchpad_, scratchpadBytes_, scratchpadBytes);
        if (moved)
            plans_.clear();
    }

    static dnnl::primitive_attr scratchpadAttributes() {
        dnnl::primitive_attr attributes;
        attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        return attributes;
    }

    dnnl::engine engine_;
    dnnl::stream stream_;
    FoldedResNet folded_;
    DataType type_;
    Pooling pooling_;
    Layout layout_ = Layout::Blocked16;
    bool winograd_ = false;
    bool winogradUsed_ = false;
    std::vector<Conv> convs_;
    std::list<Plan> plans_;
    memory buffers_[SlotCount];
    std::size_t bufferBytes_[SlotCount] = {};
    memory scratchpad_;
    std::size_t scratchpadBytes_ = 0;
};

} // namespace

std::unique_ptr<BackboneEngine> makeOneDnnEngine(const FoldedResNet& folded, bool bf16,
                                                 Pooling pooling) {
    return std::make_unique<OneDnnEngine>(folded, bf16, pooling);
}

bool oneDnnEngineAvailable() {
    return true;
}

} // namespace tc::nn

#else

namespace tc::nn {

std::unique_ptr<BackboneEngine> makeOneDnnEngine(const FoldedResNet&, bool, Pooling) {
    return nullptr;
}

bool oneDnnEngineAvailable() {
    return false;
}

} // namespace tc::nn

#endif
