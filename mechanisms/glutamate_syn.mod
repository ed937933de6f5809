: AMPA/NMDA synapse with short-term depression and facilitation and a voltage-dependent Mg block
: (Polsky et al. 2010, depression/facilitation after Varela et al. 1997, as used by Egger et al. 2015).
: Written for silico from the published equations (ISF_SPEC.md section 7.1); mechanism, parameter and
: NetCon weight names match ISF's network parameter files.
:
: Each receptor is a difference of two exponentials normalised so that a single event of weight w (nS)
: gives a peak conductance of exactly w. NetCon weights: (weight_ampa, weight_nmda) in nS.

NEURON {
    THREADSAFE : the VERBATIM block below is (its memo is per thread)
    POINT_PROCESS glutamate_syn
    NONSPECIFIC_CURRENT inmda, iampa
    RANGE gampamax, gnmdamax, inmda, iampa
    RANGE decayampa, dampa, taudampa
    RANGE decaynmda, dnmda, taudnmda
    RANGE facilampa, fampa, taufampa
    RANGE facilnmda, fnmda, taufnmda
    RANGE gnmda, gampa, mgblock, factor_nmda, factor_ampa
    RANGE e, tau1, tau2, tau3, tau4
    GLOBAL n, gama, rate_tables
}

: Speed, exactly: nocmodl's cnexp code calls exp(dt*(-1/tau)) for every state of every instance at every
: step, although the argument only changes when dt or a time constant does; that was most of an evoked
: trial's run time. Each exp() call site in this file remembers its last argument and result per thread
: (SILICO_MEMO_EXP in silico_exp.h), bit for bit what hoc_Exp returns. The Mg block's argument changes every
: call and simply misses. nocmodl defines exp as hoc_Exp before this block.
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp(silico_arg_) SILICO_MEMO_EXP(silico_arg_)
ENDVERBATIM

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (nS) = (nanomho)
    (mM) = (milli/liter)
}

PARAMETER {
    rate_tables = 0 : 1 in a fast-mode run with rate tables; silico sets it in every run
    dt (ms) : NEURON's time step
    e = 0 (mV)
    tau1 = 50 (ms) : NMDA decay
    tau2 = 2 (ms) : NMDA rise
    tau3 = 2 (ms) : AMPA decay
    tau4 = 0.1 (ms) : AMPA rise
    n = 0.25 (/mM) : Mg block at an implicit [Mg] of 1 mM (Schiller & Larkum)
    gama = 0.08 (/mV) : voltage dependence of the Mg block
    decayampa = 0.5 : depression factor per event
    decaynmda = 0.5
    taudampa = 200 (ms) : recovery from depression
    taudnmda = 200 (ms)
    facilampa = 0 : facilitation increment per event
    facilnmda = 0
    taufampa = 200 (ms) : decay of facilitation
    taufnmda = 200 (ms)
}

ASSIGNED {
    v (mV)
    inmda (nA)
    iampa (nA)
    gnmda (nS)
    gampa (nS)
    mgblock
    gampamax (nS) : the weights of the last event
    gnmdamax (nS)
    factor_nmda : peak normalisation of the NMDA double exponential
    factor_ampa : peak normalisation of the AMPA double exponential
    step1 (/ms) : (exp(-dt/tau1) - 1)/dt, and so on: the fast mode's decay of A, B, C and D per step
    step2 (/ms)
    step3 (/ms)
    step4 (/ms)
}

STATE {
    A (nS)
    B (nS)
    C (nS)
    D (nS)
    dampa
    dnmda
    fampa
    fnmda
}

INITIAL {
    A = 0
    B = 0
    C = 0
    D = 0
    dampa = 1
    dnmda = 1
    fampa = 1
    fnmda = 1
    gnmda = 0
    gampa = 0
    factor_nmda = peak_factor(tau1, tau2)
    factor_ampa = peak_factor(tau3, tau4)
    step1 = (exp(-dt / tau1) - 1) / dt
    step2 = (exp(-dt / tau2) - 1) / dt
    step3 = (exp(-dt / tau3) - 1) / dt
    step4 = (exp(-dt / tau4) - 1) / dt
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    if (rate_tables) {
        mgblock = tabled_mg_block(v)
    } else {
        mgblock = 1 / (1 + n * exp(-gama * v))
    }
    gnmda = (A - B) * mgblock
    gampa = C - D
    inmda = (1e-3) * gnmda * (v - e)
    iampa = (1e-3) * gampa * (v - e)
}

DERIVATIVE states {
    if (rate_tables) {
        : Fast mode ([simulation.fast] rate_tables), fixed step only (Stimulus refuses the tables with
        : CVODE): each conductance state decays by exp(-dt/tau) per step, as the factor 1 + dt * step with
        : step = (exp(-dt/tau) - 1)/dt computed once per run (INITIAL), not with two divisions and an exp
        : lookup per state and step. In C: a second equation for a state in the else branch would make
        : nocmodl list the state twice, and CVODE would integrate it twice.
        VERBATIM
        A = A + dt * step1 * A;
        B = B + dt * step2 * B;
        C = C + dt * step3 * C;
        D = D + dt * step4 * D;
        ENDVERBATIM
    } else {
        A' = -A / tau1
        B' = -B / tau2
        C' = -C / tau3
        D' = -D / tau4
    }
    : A depression or facilitation factor at exactly 1 stays 1: cnexp's update would add (1 - exp(-dt/tau))
    : times (1/tau)/(1/tau) - 1, which is 0 exactly. Without depression or facilitation
    : (ISF's network files set decay 1 and facil 0) the factors never leave 1, and the `!= 1` tests skip their
    : divisions and exp lookups. At 1, C sets CVODE's derivative to the 0 the update implies: written as an
    : equation d' = 0, nocmodl would list d twice and CVODE integrate it twice (4ef9e4b to c03b0ee did).
    if (dampa != 1) {
        dampa' = (1 - dampa) / taudampa
    } else {
        VERBATIM
        Ddampa = 0;
        ENDVERBATIM
    }
    if (dnmda != 1) {
        dnmda' = (1 - dnmda) / taudnmda
    } else {
        VERBATIM
        Ddnmda = 0;
        ENDVERBATIM
    }
    if (fampa != 1) {
        fampa' = (1 - fampa) / taufampa
    } else {
        VERBATIM
        Dfampa = 0;
        ENDVERBATIM
    }
    if (fnmda != 1) {
        fnmda' = (1 - fnmda) / taufnmda
    } else {
        VERBATIM
        Dfnmda = 0;
        ENDVERBATIM
    }
}

: The fast mode's rate tables ([simulation.fast] rate_tables): the Mg block interpolated linearly between
: 401 points, 0.5 mV apart, from -100 to 100 mV (the end values outside), as the channels' rates are. nrn_cur
: evaluates the block twice per synapse and step (at v + 0.001 and at v) with an argument that changes every
: time, so it is an exp the memo above cannot save. The exact mode never calls this.
FUNCTION tabled_mg_block(vm (mV)) {
    TABLE DEPEND n, gama FROM -100 TO 100 WITH 400
    tabled_mg_block = 1 / (1 + n * exp(-gama * vm))
}

: 1 / (exp(-tp/decay) - exp(-tp/rise)) at the time tp of the peak of exp(-t/decay) - exp(-t/rise).
FUNCTION peak_factor(decay (ms), rise (ms)) {
    LOCAL tp
    tp = (decay * rise) / (decay - rise) * log(decay / rise)
    peak_factor = 1 / (exp(-tp / decay) - exp(-tp / rise))
}

NET_RECEIVE(weight_ampa (nS), weight_nmda (nS)) {
    INITIAL {
        gampamax = weight_ampa
        gnmdamax = weight_nmda
    }
    gampamax = weight_ampa
    gnmdamax = weight_nmda
    A = A + factor_nmda * weight_nmda * dnmda * fnmda
    B = B + factor_nmda * weight_nmda * dnmda * fnmda
    C = C + factor_ampa * weight_ampa * dampa * fampa
    D = D + factor_ampa * weight_ampa * dampa * fampa
    dampa = dampa * decayampa
    dnmda = dnmda * decaynmda
    fampa = fampa + facilampa
    fnmda = fnmda + facilnmda
}
