/* driver/kbest.h: K-best timing (config.h): a trace is replayed until its best TIMER_K times
 * agree within TIMER_EPSILON, or TIMER_MAXRUNS runs were made; its time is the best one. */
#ifndef DRIVER_KBEST_H
#define DRIVER_KBEST_H

#include "config.h"

struct kbest {
    double best[TIMER_K]; /* fastest runs so far, ascending */
    int runs;
};

void kbest_start(struct kbest *k);
/* Adds a run's seconds; returns 1 when no more runs are needed. */
int kbest_add(struct kbest *k, double secs);
double kbest_secs(const struct kbest *k);

#endif
