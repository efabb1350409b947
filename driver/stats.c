/* driver/stats.c: trace-only figures (peak payload, bound) and the perf index formula. */
#include "driver/stats.h"

#include <stdlib.h>

#include "config.h"

#define KILO 1000.0


static size_t align_up(size_t n)
{
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
}

int trace_stats(const struct trace *t, struct trace_stats *s)
{
    size_t *size = calloc((size_t)t->num_ids + 1, sizeof *size); /* 0 when not live */
    if (!size)
        return -1;
    size_t payload = 0, aligned = 0;
    *s = (struct trace_stats){.peak_op = -1};
    for (int i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        if (op->id < 0)
            continue;
        size_t old = size[op->id], now = op->type == OP_FREE ? 0 : op->size;
        payload += now - old;
        aligned += align_up(now) - align_up(old);
        size[op->id] = now;
        if (payload > s->peak_payload) {
            s->peak_payload = payload;
            s->peak_op = i;
        }
        if (aligned > s->peak_aligned)
            s->peak_aligned = aligned;
    }
    free(size);
    return 0;
}

double ratio_or_one(size_t num, size_t den)
{
    return den ? (double)num / (double)den : 1.0;
}

double kops_of(long ops, double secs)
{
    return secs > 0 ? (double)ops / secs / KILO : 0.0;
}

double perf_index(double avg_util, double thru, double thru_ref)
{
    double t = thru_ref <= 0 ? 0.0 : thru < thru_ref ? thru / thru_ref : 1.0;
    return PERCENT * (UTIL_WEIGHT * avg_util + (1.0 - UTIL_WEIGHT) * t);
}
