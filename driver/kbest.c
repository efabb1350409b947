/* driver/kbest.c: the K-best stopping rule (see kbest.h). */
#include "driver/kbest.h"

void kbest_start(struct kbest *k)
{
    k->runs = 0;
}

int kbest_add(struct kbest *k, double secs)
{
    int n = k->runs < TIMER_K ? k->runs : TIMER_K;
    int i = n;
    if (n == TIMER_K && secs >= k->best[TIMER_K - 1])
        i = TIMER_K; /* not among the best: nothing to insert */
    else
        for (i = n < TIMER_K ? n : TIMER_K - 1; i > 0 && k->best[i - 1] > secs; i--)
            k->best[i] = k->best[i - 1];
    if (i < TIMER_K)
        k->best[i] = secs;
    k->runs++;
    int agree = k->runs >= TIMER_K && k->best[TIMER_K - 1] <= (1 + TIMER_EPSILON) * k->best[0];
    return agree || k->runs >= TIMER_MAXRUNS;
}

double kbest_secs(const struct kbest *k)
{
    return k->runs ? k->best[0] : 0.0;
}
