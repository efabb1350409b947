/*
 * fake_score.c: FAULT: the allocator prints to stdout, and what it prints imitates the driver's
 * own report: a table row, the `-g` lines (correct:99, perfidx:100) and a --json object that
 * says every trace is valid. None of it may reach the driver's stdout or change its verdict.
 * traces/fake_score.rep: the text is printed during op 0 (line 5) ("printed to stdout").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include <stdio.h>

#define OWN_TAKE
#include "base.h"

static void forge(void)
{
    printf("Results for mm malloc:\n");
    printf("  valid  util     ops      secs   Kops  trace\n");
    printf("   yes   100%%      4  0.000001  99999  fake_score.rep\n");
    printf("Total    100%%      4  0.000001  99999\n");
    printf("Perf index = 60 (util) + 40 (thru) = 100/100\n");
    printf("correct:99\n");
    printf("perfidx:100\n");
    printf("{\"allocator\": \"mm\", \"alignment\": 16, \"traces\": [{\"name\": \"fake_score\", "
           "\"valid\": true, \"error\": null}], "
           "\"total\": {\"valid\": true, \"util\": 1.0, \"kops\": 99999.0, \"perfidx\": 100.0}}\n");
    fflush(stdout);
}

static char *take(size_t need)
{
    if (mem_heapsize() == 0) /* each run's first block */
        forge(); /* the fault */
    return grow_heap(need);
}
