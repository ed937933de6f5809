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
    GLOBAL rate_tables
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
    rate_tables = 0 : 1 in a fast-mode run with rate tables; silico sets it in every run
    dt (ms) : NEURON's time step
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
    steprise (/ms) : (exp(-dt/risetime) - 1)/dt: the fast mode's decay of R per step
    stepdecay (/ms) : (exp(-dt/decaytime) - 1)/dt: the same for D
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
    steprise = (exp(-dt / risetime) - 1) / dt
    stepdecay = (exp(-dt / decaytime) - 1) / dt
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ggaba = D - R
    i = (1e-3) * ggaba * (v - e)
}

DERIVATIVE states {
    if (rate_tables) {
        : Fast mode ([simulation.fast] rate_tables), fixed step only (Stimulus refuses the tables with
        : CVODE): each conductance state decays by exp(-dt/tau) per step, as the factor 1 + dt * step with
        : step = (exp(-dt/tau) - 1)/dt computed once per run (INITIAL), not with two divisions and an exp
        : lookup per state and step. In C: a second equation for a state in the else branch would make
        : nocmodl list the state twice, and CVODE would integrate it twice.
        VERBATIM
        R = R + dt * steprise * R;
        D = D + dt * stepdecay * D;
        ENDVERBATIM
    } else {
        R' = -R / risetime
        D' = -D / decaytime
    }
    : A depression or facilitation factor at exactly 1 stays 1: cnexp's update would add (1 - exp(-dt/tau))
    : times (1/tau)/(1/tau) - 1, which is 0 exactly. Without depression or facilitation
    : (ISF's network files mostly set them so) the factors never leave 1, and the `!= 1` tests skip their
    : divisions and exp lookups. At 1, C sets CVODE's derivative to the 0 the update implies: written as an
    : equation d' = 0, nocmodl would list d twice and CVODE integrate it twice (4ef9e4b to c03b0ee did).
    if (dgaba != 1) {
        dgaba' = (1 - dgaba) / taudgaba
    } else {
        VERBATIM
        Ddgaba = 0;
        ENDVERBATIM
    }
    if (fgaba != 1) {
        fgaba' = (1 - fgaba) / taufgaba
    } else {
        VERBATIM
        Dfgaba = 0;
        ENDVERBATIM
    }
}

NET_RECEIVE(weight (nS)) {
    R = R + factor * weight * dgaba * fgaba
    D = D + factor * weight * dgaba * fgaba
    dgaba = dgaba * decaygaba
    fgaba = fgaba + facilgaba
}
