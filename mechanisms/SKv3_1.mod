: Kv3.1 (fast, non-inactivating) potassium current of the Hay et al. (2011) model (Rettig et al. 1992).
: Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's parameter
: files. No temperature factor: the published kinetics have none.

NEURON {
    SUFFIX SKv3_1
    USEION k READ ek WRITE ik
    RANGE gSKv3_1bar, gSKv3_1, ik, mInf, mTau
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
    gSKv3_1bar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gSKv3_1 (S/cm2)
    mInf
    mTau (ms)
    mStep (/ms) : (1 - exp(-dt/mTau))/dt, set by tabled_rates only
    vrates (mV) : the argument of the last rates() call: mInf, mTau... hold the rates at it
}

STATE { m }

BREAKPOINT {
    SOLVE states METHOD cnexp
    gSKv3_1 = gSKv3_1bar * m
    ik = gSKv3_1 * (v - ek)
}

DERIVATIVE states {
    if (rate_tables) {
        : Fast mode, fixed step: cnexp's update with its factor dt * xStep from the table, then return. In C,
        : so that nocmodl lists each state once (docs/neuron.md, "Fast mode").
        tabled_rates(v)
        VERBATIM
        m = m + dt * mStep * (mInf - m);
        return 0;
        ENDVERBATIM
    }
    rates(v)
    m' = (mInf - m) / mTau
}

INITIAL {
    vrates = 1e300 : no argument yet: rates() computes
    rates(v)
    m = mInf
}

PROCEDURE rates(vm (mV)) {
    UNITSOFF
    : Exact memo: the rates are a function of vm alone, and under CVODE _ode_matsol calls rates()
    : again at the value _ode_spec has just used; then the values from that call are still here.
    if (vm != vrates) {
        vrates = vm
        mInf = 1 / (1 + exp((vm - 18.7) / -9.7))
        mTau = 0.2 * 20 / (1 + exp((vm + 46.56) / -44.14))
    }
    UNITSON
}

: The fast mode's rate tables ([simulation.fast] rate_tables): NEURON interpolates what rates() gives,
: and the step rates of the states' update, linearly between 401 points, 0.5 mV apart, from -100 to 100 mV
: (the end values outside). The step rates depend on dt, so NEURON rebuilds the table when dt changes. The
: exact mode never calls this, so its arithmetic is that of rates() alone.
PROCEDURE tabled_rates(vm (mV)) {
    TABLE mInf, mTau, mStep DEPEND dt FROM -100 TO 100 WITH 400
    rates(vm)
    mStep = (1 - exp(-dt / mTau)) / dt
}
