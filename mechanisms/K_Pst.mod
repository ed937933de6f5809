: Slow, persistent potassium current of the Hay et al. (2011) model (Korngreen & Sakmann 2000 kinetics,
: shifted by 10 mV for the liquid junction potential). Written for silico from the published equations
: (ISF_SPEC.md section 7.4); names match ISF's parameter files.

NEURON {
    SUFFIX K_Pst
    USEION k READ ek WRITE ik
    RANGE gK_Pstbar, gK_Pst, ik, mInf, mTau, hInf, hTau
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
    gK_Pstbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gK_Pst (S/cm2)
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
    gK_Pst = gK_Pstbar * m * m * h
    ik = gK_Pst * (v - ek)
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
    LOCAL qt, u
    UNITSOFF
    : Exact memo: the rates are a function of vm alone, and under CVODE _ode_matsol calls rates()
    : again at the value _ode_spec has just used; then the values from that call are still here.
    if (vm != vrates) {
        vrates = vm
        qt = 2.3^((34 - 21) / 10)
        u = vm + 10
        mInf = 1 / (1 + exp(-(u + 1) / 12))
        if (u < -50) {
            mTau = (1.25 + 175.03 * exp(0.026 * u)) / qt
        } else {
            mTau = (1.25 + 13 * exp(-0.026 * u)) / qt
        }
        hInf = 1 / (1 + exp((u + 54) / 11))
        hTau = (360 + (1010 + 24 * (u + 55)) * exp(-((u + 75) / 48)^2)) / qt
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
