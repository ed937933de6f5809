: Small-conductance calcium-activated potassium current of the Hay et al. (2011) model (Koehler et al.
: 1996). Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's
: parameter files.

NEURON {
    SUFFIX SK_E2
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gSK_E2bar, gSK_E2, ik, zInf, zTau
    RANGE carates
    GLOBAL rate_tables
}

: Speed, exactly: exp() is NEURON's hoc_Exp without its two wrapper calls, bit for bit (silico_exp.h). The
: one call, cnexp's exp(dt*(-1/zTau)), has an argument that changes only with dt or zTau, so it remembers
: its last argument and result (SILICO_MEMO_EXP).
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp(silico_arg_) SILICO_MEMO_EXP(silico_arg_)
ENDVERBATIM

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    rate_tables = 0 : 1 in a fast-mode run with rate tables; silico sets it in every run
    gSK_E2bar = 0.000001 (S/cm2)
    zTau = 1 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    cai (mM)
    gSK_E2 (S/cm2)
    zInf
    carates (mM) : the argument of the last rates() call: zInf holds the rate at it
}

STATE { z }

BREAKPOINT {
    SOLVE states METHOD cnexp
    gSK_E2 = gSK_E2bar * z
    ik = gSK_E2 * (v - ek)
}

DERIVATIVE states {
    if (rate_tables) { tabled_rates(cai) } else { rates(cai) }
    z' = (zInf - z) / zTau
}

INITIAL {
    carates = 1e300 : no argument yet: rates() computes
    rates(cai)
    z = zInf
}

PROCEDURE rates(ca (mM)) {
    LOCAL c
    UNITSOFF
    : Exact memo: the rates are a function of ca alone, and under CVODE _ode_matsol calls rates()
    : again at the value _ode_spec has just used; then the values from that call are still here.
    if (ca != carates) {
        carates = ca
        : Keeps the Hill function finite when calcium is (near) zero, as the published model does.
        c = ca
        if (c < 1e-7) { c = c + 1e-7 }
        zInf = 1 / (1 + (0.00043 / c)^4.8)
    }
    UNITSON
}

: The fast mode's rate tables ([simulation.fast] rate_tables): NEURON interpolates zInf linearly between
: 10,001 points from 0 to 0.01 mM, 1e-6 mM apart (the end value above, where zInf is 1 to within 3e-7). The
: Hill function spans decades of cai, but zInf is within 2.1e-6 of it everywhere (largest near 2.8e-4 mM,
: its steepest stretch); near rest (2e-5 to 1e-4 mM, zInf below 1e-3) the error is below 2.1e-7, up to 0.5 %
: of the small value. It replaces the pow() of every segment and step. The exact mode never calls this.
PROCEDURE tabled_rates(ca (mM)) {
    TABLE zInf FROM 0 TO 0.01 WITH 10000
    rates(ca)
}
