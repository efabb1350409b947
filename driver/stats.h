/* driver/stats.h: what a trace asks of any allocator, before one runs it, and the scores.
 *
 * Peak live payload and the bound (SPEC "Scores") depend only on the trace and ALIGNMENT. */
#ifndef DRIVER_STATS_H
#define DRIVER_STATS_H

#include <stddef.h>

#include "driver/trace.h"

struct trace_stats {
    size_t peak_payload; /* most live payload bytes at once */
    size_t peak_aligned; /* most live bytes at once, each block rounded up to ALIGNMENT */
    int peak_op;         /* op after which peak_payload is first reached; -1 when never */
};

/* Returns 0, or -1 when out of memory. */
int trace_stats(const struct trace *t, struct trace_stats *s);

/* Utilization and bound: payload over heap (1 when both are 0: nothing asked, nothing used). */
double ratio_or_one(size_t num, size_t den);

/* Kops/s of ops done in secs (0 when secs is not positive). */
double kops_of(long ops, double secs);

#define PERCENT 100.0

/* SPEC's perf index, 0..100: thru is capped at thru_ref. */
double perf_index(double avg_util, double thru, double thru_ref);

#endif
