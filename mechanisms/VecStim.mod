: An event source that plays a hoc Vector of event times (ascending, ms): each time becomes a NetCon event.
: ISF-compatible name and use: `vs = new VecStim()`, `vs.play(vector)`. Written for silico.
:
: Playback restarts at element 0 on every finitialize(), so a trial can overwrite the played Vector in place
: (same object, any size) and re-initialise. The Vector must outlive the VecStim's playback: the VecStim
: keeps a plain pointer to it, not a reference.

NEURON {
    THREADSAFE
    ARTIFICIAL_CELL VecStim
    POINTER ptr
}

ASSIGNED {
    index
    etime (ms)
    ptr
}

INITIAL {
    index = 0
    next_event()
    if (index > 0) {
        net_send(etime - t, 1)
    }
}

NET_RECEIVE(w) {
    if (flag == 1) {
        net_event(t)
        next_event()
        if (index > 0) {
            net_send(etime - t, 1)
        }
    }
}

VERBATIM
extern double* vector_vec(void*);
extern int vector_capacity(void*);
extern void* vector_arg(int);
ENDVERBATIM

: Loads the time at `index` into etime and advances; index = -1 when the Vector is exhausted (or absent).
PROCEDURE next_event() {
VERBATIM
    {
        void* vv = *((void**) (&_p_ptr));
        int size = vv ? vector_capacity(vv) : 0;
        if (index >= 0 && index < size) {
            etime = vector_vec(vv)[(int) index];
            index += 1.;
        } else {
            index = -1.;
        }
    }
ENDVERBATIM
}

: play(Vector) sets the event times; play() with no argument detaches the Vector.
PROCEDURE play() {
VERBATIM
    {
        void** vv = (void**) (&_p_ptr);
        *vv = (void*) 0;
        if (ifarg(1)) {
            *vv = vector_arg(1);
        }
    }
ENDVERBATIM
}
