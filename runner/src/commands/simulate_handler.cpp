// The "simulate" trial kind: a worker builds the recipe's cell once per model (experiments::TrialRunner) and runs
// every trial of that model on it. Requests and results use the trial request forms (silico/recipes/trial_request.hpp, silico/store/trial_outputs.hpp).
#include <iostream>
#include <memory>
#include <optional>

#include "commands/run_plan.hpp"
#include "silico/trial/trial_runner.hpp"

namespace silico::runner {

void register_simulate_handler(HandlerRegistry& registry) {
    registry.add(std::string(k_simulate_kind), [](std::string_view model_text) -> Result<TrialHandler> {
        auto spec = recipes::decode_cell_request(model_text);
        if (!spec) return std::unexpected(spec.error());
        auto model = experiments::TrialRunner::build(*spec);
        if (!model) return std::unexpected(model.error());
        auto shared = std::make_shared<experiments::TrialRunner>(std::move(*model));
        return TrialHandler([shared](std::string_view request, TrialContext& context) -> Result<std::string> {
            auto trial = recipes::decode_trial_request(request);
            if (!trial) return std::unexpected(trial.error());
            std::optional<experiments::CheckpointOptions> checkpoint;
            experiments::CheckpointReport report;
            if (!context.checkpoint_file.empty()) {
                checkpoint.emplace();
                checkpoint->file = context.checkpoint_file;
                checkpoint->every_ms = context.checkpoint_every_ms;
                checkpoint->identity = "trial " + context.key;
            }
            auto outputs = shared->run(*trial, checkpoint ? &*checkpoint : nullptr, &report);
            // The worker's stderr reaches the runner's failure reports and the terminal of local runs.
            for (const auto& w : report.warnings)
                std::cerr << "silico worker: trial " << context.key.substr(0, 12) << ": " << w << std::endl;
            if (!outputs) return std::unexpected(outputs.error());
            context.resumed_from_ms = report.resumed_from_ms;
            return store::encode_trial_outputs(*outputs);
        });
    });
}

}  // namespace silico::runner
