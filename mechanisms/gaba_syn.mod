: GABA_A synapse with short-term depression and facilitation (Polsky et al. 2010 after Sun et al. 2006;
: facilitation after Varela et al. 1997, as used by Egger et al. 2015). Written for silico from the
: published equations (ISF_SPEC.md section 7.2); names match ISF's network parameter files.
:
: A difference of two exponentials normalised so that a single event of weight w (nS) gives a peak
: conductance of exactly w.

NEURON {
    THREADSAFE : the VERBATIM block below is (its memo is per thread)
    POINT_PROCESS gaba_syn
    NONSPECIFIC_CURRENT i
    RANGE i, ggaba
    RANGE decaygaba, dgaba, taudgaba
    RANGE facilgaba, fgaba, taufgaba
    RANGE risetime, decaytime, e, factor
}

: Speed, exactly: nocmodl's cnexp code calls exp(dt*(-1/tau)) for every state of every instance at every
: step, although the argument only changes when dt or a time constant does; that was most of an evoked
: trial's run time. Each exp() call site in this file remembers its last argument and result per thread
: (SILICO_MEMO_EXP in silico_exp.h), bit for bit what hoc_Exp returns. nocmodl defines exp as hoc_Exp
: before this block.
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp(silico_arg_) SILICO_MEMO_EXP(silico_arg_)
ENDVERBATIM

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (nS) = (nanomho)
}

PARAMETER {
    e = -60 (mV)
    risetime = 1 (ms)
    decaytime = 20 (ms)
    decaygaba = 0.8 : depression factor per event
    taudgaba = 200 (ms) : recovery from depression
    facilgaba = 0 : facilitation increment per event
    taufgaba = 200 (ms) : decay of facilitation
}

ASSIGNED {
    v (mV)
    i (nA)
    ggaba (nS)
    factor : peak normalisation of the double exponential
}

STATE {
    R (nS)
    D (nS)
    dgaba
    fgaba
}

INITIAL {
    LOCAL tp
    R = 0
    D = 0
    dgaba = 1
    fgaba = 1
    ggaba = 0
    tp = (risetime * decaytime) / (decaytime - risetime) * log(decaytime / risetime)
    factor = 1 / (exp(-tp / decaytime) - exp(-tp / risetime))
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ggaba = D - R
    i = (1e-3) * ggaba * (v - e)
}

DERIVATIVE states {
    R' = -R / risetime
    D' = -D / decaytime
    : A depression or facilitation factor at exactly 1 stays 1: cnexp's update would add (1 - exp(-dt/tau))
    : times (1/tau)/(1/tau) - 1, which is 0 exactly. Without depression or facilitation (ISF's network files
    : mostly set them so) the factors never leave 1, and the `!= 1` tests skip their divisions and exp
    : lookups. CVODE sees the derivative 0 the update implies. Same in glutamate_syn.mod.
    if (dgaba != 1) {
        dgaba' = (1 - dgaba) / taudgaba
    } else {
        dgaba' = 0
    }
    if (fgaba != 1) {
        fgaba' = (1 - fgaba) / taufgaba
    } else {
        fgaba' = 0
    }
}

NET_RECEIVE(weight (nS)) {
    R = R + factor * weight * dgaba * fgaba
    D = D + factor * weight * dgaba * fgaba
    dgaba = dgaba * decaygaba
    fgaba = fgaba + facilgaba
}
