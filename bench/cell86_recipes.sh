# Sourced by bench/callgrind_step.sh and bench/exact_bits.sh: the short recipes of cell 86 they run.
# `cell86_recipe CASE` prints one (the caller sets `here` to the bench folder):
#   fixed, cvode   cell 86 as shipped, 0.793 nA soma step 20-120 ms, tstop 150 ms, fixed dt 0.025 or CVODE
#   evoked         one evoked trial with ISF's C2 network (seed 1234, ISF's stream), 100 ms, fixed dt 0.025
#   evoked_cvode   two such trials, 60 ms, CVODE (NEURON's default tolerances)
#   evoked_fast    one such trial, 300 ms, in the fast mode (secondorder 2, dt 0.05, rate tables)
isf=$(cd "$here/../../shared/isf" && pwd)
data="[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data"

cell86_recipe() {
  local case=$1 protocol=current_step simulation
  case $case in
    fixed | cvode) simulation="tstop = 150.0
dt = 0.025
solver = \"$case\"
temperature = 34.0
v_init = -75.0" ;;
    evoked) protocol=evoked simulation='tstop = 100.0
dt = 0.025
units = "modern"
trials = 1' ;;
    evoked_cvode) protocol=evoked simulation='tstop = 60.0
solver = "cvode"
units = "modern"
trials = 2' ;;
    evoked_fast) protocol=evoked simulation='tstop = 300.0
dt = 0.05
units = "modern"
trials = 1

[simulation.fast]
secondorder = 2
rate_tables = true' ;;
    *) echo "cell86_recipe: unknown case '$case' (fixed, cvode, evoked, evoked_cvode, evoked_fast)" >&2; exit 2 ;;
  esac
  printf '[paths]\nIN_SILICO_FRAMEWORK_DIR = "%s"\n\n[experiment]\nname = "cell86-%s"\nprotocol = "%s"\n\n' \
    "$isf" "${case//_/-}" "$protocol"
  printf '[cell]\nbiophysics = "%s/biophysical_constraints/86_C2_center.param.TEMPLATE"\n\n' "$data"
  if [[ $protocol == evoked ]]; then
    printf '[input]\nnetwork = "%s/functional_constraints/network.param.TEMPLATE"\n\n' "$data"
    printf '[seeds]\nmode = "isf"\nroot = 1234\n\n'
  else
    printf '[[stimulus.step]]\namplitude = 0.793\ndelay = 20.0\nduration = 100.0\n\n'
  fi
  printf '[simulation]\n%s\n' "$simulation"
}
