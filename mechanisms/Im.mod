: Muscarinic (M-type) potassium current of the Hay et al. (2011) model (Adams et al. 1982).
: Written for silico from the published equations (ISF_SPEC.md section 7.4); names match ISF's parameter
: files.

NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gImbar, gIm, ik, mInf, mTau
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gImbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gIm (S/cm2)
    mInf
    mTau (ms)
}

STATE { m }

BREAKPOINT {
    SOLVE states METHOD cnexp
    gIm = gImbar * m
    ik = gIm * (v - ek)
}

DERIVATIVE states {
    rates(v)
    m' = (mInf - m) / mTau
}

INITIAL {
    rates(v)
    m = mInf
}

PROCEDURE rates(vm (mV)) {
    LOCAL qt, am, bm
    UNITSOFF
    qt = 2.3^((34 - 21) / 10)
    am = 3.3e-3 * exp(0.1 * (vm + 35))
    bm = 3.3e-3 * exp(-0.1 * (vm + 35))
    mInf = am / (am + bm)
    mTau = 1 / ((am + bm) * qt)
    UNITSON
}
