// Paths of ISF's published reference data used by the cell tests.
#pragma once

#include <string>

namespace silico::experiments::test {

inline const std::string k_isf_dir = SILICO_SHARED_DIR "/isf";
inline const std::string k_example_data = k_isf_dir + "/getting_started/example_data";
inline const std::string k_hoc_86 = k_example_data + "/anatomical_constraints/86_C2_center.hoc";
inline const std::string k_hoc_86_scaled =
    k_example_data + "/anatomical_constraints/86_C2_center_scaled_diameters.hoc";
inline const std::string k_swc_86 = k_example_data + "/anatomical_constraints/86_C2_center.swc";
inline const std::string k_param_86 = k_example_data + "/biophysical_constraints/86_C2_center.param.TEMPLATE";
inline const std::string k_landmarks = k_example_data + "/apical_proximal_distal_rec_sites.landmarkAscii";

}  // namespace silico::experiments::test

namespace silico::experiments::test {

// ISF's stored 2015 evoked run (six trials, seed 20240), its network and cell 86's anatomical realisation.
inline const std::string k_run_2015 =
    k_example_data + "/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240";
inline const std::string k_synapses_2015 = k_run_2015 + "/simulation_run0000_synapses.csv";
inline const std::string k_network_c2 = k_example_data + "/functional_constraints/network.param.TEMPLATE";
inline const std::string k_syn_86 =
    k_example_data +
    "/anatomical_constraints/example_embedding_86_C2_center/example_embedding_86_C2_center.syn";

}  // namespace silico::experiments::test
