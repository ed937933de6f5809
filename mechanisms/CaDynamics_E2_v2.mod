: CaDynamics_E2 with calcium initialised to minCai (the variant of ISF's "L5tt template v2").
: Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's parameter
: files. Because this mechanism WRITEs cai, NEURON recomputes eca from the Nernst equation.

NEURON {
    SUFFIX CaDynamics_E2_v2
    USEION ca READ ica WRITE cai
    RANGE decay, gamma, minCai, depth
}

: Speed, exactly: exp() is NEURON's hoc_Exp without its two wrapper calls, bit for bit (silico_exp.h).
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp silico_exp
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

INITIAL { cai = minCai }

BREAKPOINT { SOLVE states METHOD cnexp }

DERIVATIVE states {
    : 10000 converts mA/cm2 over a shell of depth um into mM/ms.
    cai' = -(10000) * (ica * gamma / (2 * FARADAY * depth)) - (cai - minCai) / decay
}
