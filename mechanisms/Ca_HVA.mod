: High-voltage-activated calcium current of the Hay et al. (2011) model (Reuveni et al. 1993).
: Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's parameter
: files. eca comes from the ion (Nernst when a calcium buffer WRITEs cai).

NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gCa_HVAbar, gCa_HVA, ica, mInf, mTau, hInf, hTau
    RANGE vrates
    GLOBAL rate_tables
}

: Speed, exactly: exp() is NEURON's hoc_Exp without its two wrapper calls, bit for bit (silico_exp.h).
VERBATIM
#undef exp
#include "silico_exp.h"
#define exp silico_exp
ENDVERBATIM

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    rate_tables = 0 : 1 in a fast-mode run with rate tables; silico sets it in every run
    dt (ms) : NEURON's time step (the tables depend on it)
    gCa_HVAbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    gCa_HVA (S/cm2)
    mInf
    mTau (ms)
    hInf
    hTau (ms)
    mStep (/ms) : (1 - exp(-dt/mTau))/dt, set by tabled_rates only
    hStep (/ms) : (1 - exp(-dt/hTau))/dt, set by tabled_rates only
    vrates (mV) : the argument of the last rates() call: mInf, mTau... hold the rates at it
}

STATE { m h }

BREAKPOINT {
    SOLVE states METHOD cnexp
    gCa_HVA = gCa_HVAbar * m * m * h
    ica = gCa_HVA * (v - eca)
}

DERIVATIVE states {
    if (rate_tables) {
        : Fast mode, fixed step: cnexp's update with its factor dt * xStep from the table, then return. In C,
        : so that nocmodl lists each state once (docs/neuron.md, "Fast mode").
        tabled_rates(v)
        VERBATIM
        m = m + dt * mStep * (mInf - m);
        h = h + dt * hStep * (hInf - h);
        return 0;
        ENDVERBATIM
    }
    rates(v)
    m' = (mInf - m) / mTau
    h' = (hInf - h) / hTau
}

INITIAL {
    vrates = 1e300 : no argument yet: rates() computes
    rates(v)
    m = mInf
    h = hInf
}

PROCEDURE rates(vm (mV)) {
    LOCAL u, am, bm, ah, bh
    UNITSOFF
    : Exact memo: the rates are a function of vm alone, and under CVODE _ode_matsol calls rates()
    : again at the value _ode_spec has just used; then the values from that call are still here.
    if (vm != vrates) {
        vrates = vm
        u = vm
        if (u == -27) { u = u + 0.0001 }
        am = 0.055 * (-27 - u) / (exp((-27 - u) / 3.8) - 1)
        bm = 0.94 * exp((-75 - u) / 17)
        mInf = am / (am + bm)
        mTau = 1 / (am + bm)
        ah = 0.000457 * exp((-13 - u) / 50)
        bh = 0.0065 / (exp((-u - 15) / 28) + 1)
        hInf = ah / (ah + bh)
        hTau = 1 / (ah + bh)
    }
    UNITSON
}

: The fast mode's rate tables ([simulation.fast] rate_tables): NEURON interpolates what rates() gives,
: and the step rates of the states' update, linearly between 401 points, 0.5 mV apart, from -100 to 100 mV
: (the end values outside). The step rates depend on dt, so NEURON rebuilds the table when dt changes. The
: exact mode never calls this, so its arithmetic is that of rates() alone.
PROCEDURE tabled_rates(vm (mV)) {
    TABLE mInf, mTau, mStep, hInf, hTau, hStep DEPEND dt FROM -100 TO 100 WITH 400
    rates(vm)
    mStep = (1 - exp(-dt / mTau)) / dt
    hStep = (1 - exp(-dt / hTau)) / dt
}
