/* driver/run.h: everything one mdriver run measured, as the reports read it. */
#ifndef DRIVER_RUN_H
#define DRIVER_RUN_H

#include "driver/allocator.h"
#include "driver/job.h"
#include "driver/options.h"
#include "driver/trace.h"
#include "mm.h"

/* The allocator whose throughput is the perf index's reference, unless --thru-ref gives it. */
#define REF_NAME "libc"

struct totals {
    int correct;     /* traces valid */
    int all_valid;
    int util_n;      /* valid traces whose utilization is known */
    double avg_util; /* mean over those */
    double avg_bound;
    long ops;        /* over valid, timed traces */
    double secs;
    double kops;     /* ops / secs / 1000 */
    int timed;       /* every valid trace was timed: not a correctness-only run */
    double perfidx;  /* 0 when a trace failed or there is no reference; -1 when it has no
                        meaning: no timing, or no utilization known (a real allocator) */
};

struct alloc_run {
    const char *name;
    const struct allocator *a;
    int shown;          /* 0: run only as the throughput reference */
    struct result *res; /* one per trace */
    struct totals tot;
};

struct run {
    const struct options *o;
    struct trace *traces;
    int ntraces;
    struct alloc_run *alloc; /* [0] is the allocator built into mdriver */
    int nalloc;
    double thru_ref_kops;    /* 0 when unknown */
    const char *thru_ref_from; /* "libc (measured)" or "--thru-ref" */
    const team_t *team;      /* NULL when the submission has none */
};

#endif
