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
: trial's run time. Each exp() call site in this file remembers its last argument and result (per thread),
: so a repeated argument costs a compare and the result is bit for bit what hoc_Exp returns (silico_exp.h). Same block in
: glutamate_syn.mod. nocmodl defines exp as hoc_Exp before this block.
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp(silico_arg_) __extension__({ \
    static __thread double silico_key_ = 0.0, silico_value_ = 1.0; \
    const double silico_x_ = (silico_arg_); \
    if (silico_x_ != silico_key_) { silico_key_ = silico_x_; silico_value_ = silico_exp(silico_x_); } \
    silico_value_; })
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
    dgaba' = (1 - dgaba) / taudgaba
    fgaba' = (1 - fgaba) / taufgaba
}

NET_RECEIVE(weight (nS)) {
    R = R + factor * weight * dgaba * fgaba
    D = D + factor * weight * dgaba * fgaba
    dgaba = dgaba * decaygaba
    fgaba = fgaba + facilgaba
}
