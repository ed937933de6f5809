/* silico_exp(x): NEURON's hoc_Exp(x), bit for bit, without its two extra calls.
 *
 * nocmodl writes `#define exp hoc_Exp`. NEURON 8.2's hoc_Exp returns 0 below -700, prints a warning and
 * returns exp(700) above 700 (unless floating-point exceptions are enabled), and otherwise calls libm's
 * exp@GLIBC_2.29, which calls glibc's exp kernel (__exp_finite, an ifunc: the FMA variant on these CPUs)
 * and then checks the result for overflow/underflow to set errno. In [-700, 700] exp neither overflows
 * nor underflows, so the check never fires there and the kernel's result is exp's result. Cell 86's
 * channels call exp ~40 times per segment and step; the two wrappers were ~15 % of a fixed-step run
 * (perf, bench/RESULTS.md "Exact mode").
 *
 * So: inside [-700, 700] call the kernel directly; outside it, and for NaN (where both comparisons are
 * false), call hoc_Exp itself, so its warnings and limits stay NEURON's. The kernel is reached through its
 * GLIBC_2.15 compatibility name, which glibc keeps for old binaries. The build checks at configure time
 * that it exists and returns exp's bits on a sweep of arguments (mechanisms/CMakeLists.txt,
 * SILICO_HAVE_EXP_FINITE); without it silico_exp calls libm's exp, still identical to hoc_Exp.
 *
 * Include it from a mod file's VERBATIM block after `#undef exp` (nocmodl's define), then
 * `#define exp silico_exp`.
 */
#ifndef SILICO_MECHANISMS_SILICO_EXP_H
#define SILICO_MECHANISMS_SILICO_EXP_H

extern double hoc_Exp(double);

#if defined(SILICO_HAVE_EXP_FINITE) && SILICO_HAVE_EXP_FINITE
__asm__(".symver __exp_finite,__exp_finite@GLIBC_2.15");
extern double __exp_finite(double);
#define SILICO_EXP_KERNEL_ __exp_finite
#else
#include <math.h>
#define SILICO_EXP_KERNEL_ exp
#endif

static inline double silico_exp(double x) {
    if (x >= -700.0 && x <= 700.0) {
        return SILICO_EXP_KERNEL_(x);
    }
    return hoc_Exp(x);
}

/* SILICO_MEMO_EXP(x): silico_exp(x), remembered per call site and thread.
 *
 * nocmodl's cnexp code calls exp(dt*(-1/tau)) for every state of every instance at every step. Where tau is a
 * parameter (the synapses' time constants, SK_E2's zTau, CaDynamics_E2's decay), the argument only changes
 * with dt or between instances with another parameter value, so the call site keeps its last argument and
 * result: a repeated argument costs a compare, and the result is the one silico_exp returned for that very
 * argument (NaN never compares equal, so it is recomputed). An argument that changes every call (a rate's
 * voltage dependence) only pays the compare; do not use it there.
 *
 * Use from a mod file's VERBATIM block after including this header: `#define exp(x) SILICO_MEMO_EXP(x)`.
 * The memo is __thread, so a THREADSAFE mechanism stays so.
 */
#define SILICO_MEMO_EXP(silico_arg_) __extension__({ \
    static __thread double silico_key_ = 0.0, silico_value_ = 1.0; \
    const double silico_x_ = (silico_arg_); \
    if (silico_x_ != silico_key_) { \
        silico_key_ = silico_x_; \
        silico_value_ = silico_exp(silico_x_); \
    } \
    silico_value_; })

#endif
