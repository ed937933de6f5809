: Intracellular calcium in a submembrane shell of the Hay et al. (2011) model: influx from ica, first-order
: removal towards minCai. Written for silico from the published equations (ISF_SPEC.md section 7.4); names
: match ISF's parameter files.
:
: Deliberately no INITIAL block: cai starts at the calcium ion's value (cai0_ca_ion, 5e-5 mM by default),
: which is what the published model does; CaDynamics_E2_v2 starts at minCai instead. Because this mechanism
: WRITEs cai, NEURON recomputes eca from the Nernst equation at initialisation and after every step.

NEURON {
    SUFFIX CaDynamics_E2
    USEION ca READ ica WRITE cai
    RANGE decay, gamma, minCai, depth
}

: Speed, exactly: exp() is NEURON's hoc_Exp without its two wrapper calls, bit for bit (silico_exp.h). The
: one call, cnexp's exp(dt*(-1/decay)), has an argument that changes only with dt or decay, so it remembers
: its last argument and result (SILICO_MEMO_EXP).
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp(silico_arg_) SILICO_MEMO_EXP(silico_arg_)
ENDVERBATIM

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulombs)
    (molar) = (1/liter)
    (mM) = (millimolar)
    (um) = (micron)
}

PARAMETER {
    gamma = 0.05 : fraction of free calcium (not buffered)
    decay = 80 (ms) : time constant of calcium removal
    depth = 0.1 (um) : depth of the submembrane shell
    minCai = 1e-4 (mM)
}

ASSIGNED { ica (mA/cm2) }

STATE { cai (mM) }

BREAKPOINT { SOLVE states METHOD cnexp }

DERIVATIVE states {
    : 10000 converts mA/cm2 over a shell of depth um into mM/ms.
    cai' = -(10000) * (ica * gamma / (2 * FARADAY * depth)) - (cai - minCai) / decay
}
