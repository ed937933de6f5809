// The "simulate" trial kind: a worker builds the recipe's cell once per model (experiments::Model) and runs
// every trial of that model on it. Requests and results use the trial pipeline's serialisation (trial.hpp).
#include <memory>

#include "run_plan.hpp"
#include "silico/experiments/trial.hpp"

namespace silico::runner {

void register_simulate_handler(HandlerRegistry& registry) {
    registry.add(std::string(k_simulate_kind), [](std::string_view model_text) -> Result<TrialHandler> {
        auto spec = experiments::decode_model(model_text);
        if (!spec) return std::unexpected(spec.error());
        auto model = experiments::Model::build(*spec);
        if (!model) return std::unexpected(model.error());
        auto shared = std::make_shared<experiments::Model>(std::move(*model));
        return TrialHandler([shared](std::string_view request) -> Result<std::string> {
            auto trial = experiments::decode_trial(request);
            if (!trial) return std::unexpected(trial.error());
            auto outputs = shared->run(*trial);
            if (!outputs) return std::unexpected(outputs.error());
            return experiments::encode_outputs(*outputs);
        });
    });
}

}  // namespace silico::runner
