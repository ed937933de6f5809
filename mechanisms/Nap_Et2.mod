: Persistent sodium current of the Hay et al. (2011) model (Magistretti & Alonso 1999 kinetics).
: Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's parameter files.

NEURON {
    SUFFIX Nap_Et2
    USEION na READ ena WRITE ina
    RANGE gNap_Et2bar, gNap_Et2, ina, mInf, mTau, hInf, hTau
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
    gNap_Et2bar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    gNap_Et2 (S/cm2)
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
    gNap_Et2 = gNap_Et2bar * m * m * m * h
    ina = gNap_Et2 * (v - ena)
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
    LOCAL qt, u, am, bm, ah, bh
    UNITSOFF
    : Exact memo: the rates are a function of vm alone, and under CVODE _ode_matsol calls rates()
    : again at the value _ode_spec has just used; then the values from that call are still here.
    if (vm != vrates) {
        vrates = vm
        qt = 2.3^((34 - 21) / 10)
        u = vm
        mInf = 1 / (1 + exp((u + 52.6) / -4.6))
        if (u == -38) { u = u + 0.0001 }
        am = 0.182 * (u + 38) / (1 - exp(-(u + 38) / 6))
        bm = 0.124 * (-u - 38) / (1 - exp(-(-u - 38) / 6))
        mTau = 6 / ((am + bm) * qt)
        if (u == -17) { u = u + 0.0001 }
        if (u == -64.4) { u = u + 0.0001 }
        hInf = 1 / (1 + exp((u + 48.8) / 10))
        ah = -2.88e-6 * (u + 17) / (1 - exp((u + 17) / 4.63))
        bh = 6.94e-6 * (u + 64.4) / (1 - exp(-(u + 64.4) / 2.63))
        hTau = 1 / ((ah + bh) * qt)
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
