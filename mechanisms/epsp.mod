: A synaptic-like current waveform: the difference of two exponentials starting at onset, scaled so that
: its peak is exactly imax (nA). Negative (inward) current, so a positive imax depolarises. Used by the BAC
: protocol (ISF_SPEC.md sections 7.3, 7.5). Written for silico from the published equations; names match
: ISF's (onset, tau0, tau1, imax).

NEURON {
    POINT_PROCESS epsp
    NONSPECIFIC_CURRENT i
    RANGE onset, tau0, tau1, imax, i, myv
}

: Speed, exactly: exp() is NEURON's hoc_Exp without its two wrapper calls, bit for bit (silico_exp.h).
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp silico_exp
ENDVERBATIM

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}

PARAMETER {
    onset = 0 (ms)
    tau0 = 0.2 (ms) : rise
    tau1 = 3 (ms) : decay
    imax = 0 (nA) : peak amplitude
}

ASSIGNED {
    v (mV)
    i (nA)
    myv (mV)
}

BREAKPOINT {
    myv = v
    i = curr(t)
}

: exp() that underflows to 0 instead of producing denormals far in the tail.
FUNCTION cutexp(x) {
    if (x < -100) {
        cutexp = 0
    } else {
        cutexp = exp(x)
    }
}

FUNCTION curr(x (ms)) (nA) {
    LOCAL tpk, amp
    if (x < onset) {
        curr = 0
    } else {
        tpk = tau0 * tau1 * log(tau0 / tau1) / (tau0 - tau1)
        amp = imax / ((1 - cutexp(-tpk / tau0)) - (1 - cutexp(-tpk / tau1)))
        curr = -amp * ((1 - cutexp(-(x - onset) / tau0)) - (1 - cutexp(-(x - onset) / tau1)))
    }
}
