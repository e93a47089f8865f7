#include "core/train/OptimizerState.h"

#include <map>

namespace tc::train {

namespace {

using ParamState = torch::optim::OptimizerParamState;

/// The optimizer's key for a parameter's state (LibTorch keys it by the TensorImpl).
std::string stateKey(const torch::Tensor& parameter) {
    return c10::guts::to_string(parameter.unsafeGetTensorImpl());
}

std::vector<torch::Tensor> parametersOf(torch::optim::Optimizer& optimizer) {
    std::vector<torch::Tensor> parameters;
    for (auto& group : optimizer.param_groups()) {
        for (const torch::Tensor& parameter : group.params())
            parameters.push_back(parameter);
    }
    return parameters;
}

/// The named fields of one optimizer's parameter state: tensors and integer counters.
struct Fields {
    std::map<std::string, torch::Tensor*> tensors;
    std::map<std::string, std::int64_t*> counters;
};

template <typename State> Fields adamFields(State& state) {
    return {{{"exp_avg", &state.exp_avg()},
             {"exp_avg_sq", &state.exp_avg_sq()},
             {"max_exp_avg_sq", &state.max_exp_avg_sq()}},
            {{"step", &state.step()}}};
}

/// The fields of `state`, or nothing for an optimizer this file does not know.
std::optional<Fields> fieldsOf(ParamState& state) {
    if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(&state))
        return adamFields(*adam);
    if (auto* adamW = dynamic_cast<torch::optim::AdamWParamState*>(&state))
        return adamFields(*adamW);
    if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(&state))
        return Fields{{{"momentum_buffer", &sgd->momentum_buffer()}}, {}};
    if (auto* rms = dynamic_cast<torch::optim::RMSpropParamState*>(&state))
        return Fields{{{"square_avg", &rms->square_avg()},
                       {"momentum_buffer", &rms->momentum_buffer()},
                       {"grad_avg", &rms->grad_avg()}},
                      {{"step", &rms->step()}}};
    return std::nullopt;
}

/// A fresh, empty state of the kind `optimizer` keeps.
std::unique_ptr<ParamState> newStateFor(torch::optim::Optimizer& optimizer) {
    if (dynamic_cast<torch::optim::Adam*>(&optimizer))
        return std::make_unique<torch::optim::AdamParamState>();
    if (dynamic_cast<torch::optim::AdamW*>(&optimizer))
        return std::make_unique<torch::optim::AdamWParamState>();
    if (dynamic_cast<torch::optim::SGD*>(&optimizer))
        return std::make_unique<torch::optim::SGDParamState>();
    if (dynamic_cast<torch::optim::RMSprop*>(&optimizer))
        return std::make_unique<torch::optim::RMSpropParamState>();
    return nullptr;
}

} // namespace

nn::StateDict optimizerStateTensors(torch::optim::Optimizer& optimizer, const std::string& prefix) {
    nn::StateDict out;
    const std::vector<torch::Tensor> parameters = parametersOf(optimizer);
    for (size_t index = 0; index < parameters.size(); ++index) {
        const auto found = optimizer.state().find(stateKey(parameters[index]));
        if (found == optimizer.state().end())
            continue; // not stepped yet
        const std::optional<Fields> fields = fieldsOf(*found->second);
        if (!fields)
            throw std::logic_error("optimizerStateTensors: unknown optimizer state");
        const std::string name = prefix + std::to_string(index) + ".";
        for (const auto& [field, tensor] : fields->tensors) {
            if (tensor->defined())
                out.insert(name + field, tensor->detach().clone());
        }
        for (const auto& [field, counter] : fields->counters)
            out.insert(name + field, torch::tensor(*counter, torch::kInt64).reshape({}));
    }
    return out;
}

bool restoreOptimizerState(torch::optim::Optimizer& optimizer, const nn::StateDict& tensors,
                           const std::string& prefix, QString* error) {
    auto fail = [&](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    const std::vector<torch::Tensor> parameters = parametersOf(optimizer);
    std::vector<std::unique_ptr<ParamState>> states(parameters.size());
    size_t used = 0;
    for (size_t index = 0; index < parameters.size(); ++index) {
        const std::string name = prefix + std::to_string(index) + ".";
        std::unique_ptr<ParamState> state = newStateFor(optimizer);
        if (!state)
            return fail(QStringLiteral("the optimizer's state cannot be restored"));
        Fields fields = *fieldsOf(*state);
        bool any = false;
        for (auto& [field, tensor] : fields.tensors) {
            const torch::Tensor* stored = tensors.find(name + field);
            if (!stored)
                continue;
            if (stored->sizes() != parameters[index].sizes() || !stored->is_floating_point())
                return fail(QStringLiteral("optimizer tensor '%1' does not fit its parameter %2")
                                .arg(QString::fromStdString(name + field),
                                     nn::shapeString(parameters[index].sizes())));
            *tensor = stored->to(parameters[index].scalar_type()).clone();
            any = true;
            ++used;
        }
        for (auto& [field, counter] : fields.counters) {
            const torch::Tensor* stored = tensors.find(name + field);
            if (!stored)
                continue;
            if (stored->numel() != 1 || stored->scalar_type() != torch::kInt64)
                return fail(QStringLiteral("optimizer counter '%1' is not one int64")
                                .arg(QString::fromStdString(name + field)));
            *counter = stored->item<std::int64_t>();
            ++used;
        }
        if (any)
            states[index] = std::move(state);
    }
    std::size_t expected = 0;
    for (const auto& item : tensors)
        expected += QString::fromStdString(item.key()).startsWith(QString::fromStdString(prefix));
    if (used != expected)
        return fail(QStringLiteral("the checkpoint holds optimizer state for parameters this "
                                   "model does not have (%1 of %2 tensors fit)")
                        .arg(used)
                        .arg(expected));
    optimizer.state().clear();
    for (size_t index = 0; index < parameters.size(); ++index) {
        if (states[index])
            optimizer.state()[stateKey(parameters[index])] = std::move(states[index]);
    }
    return true;
}

} // namespace tc::train
