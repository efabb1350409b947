/*
 * fake_score.c: FAULT: the allocator prints to stdout, and what it prints imitates the driver's
 * own report: a table row, the `-g` lines (correct:99, perfidx:100) and a --json object that
 * says every trace is valid. None of it may reach the driver's stdout or change its verdict.
 * traces/fake_score.rep: the text is printed during op 0 (line 5) ("printed to stdout").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing, realloc moves and copies.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16

static int printed;

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

int mm_init(void)
{
    printed = 0;
    return 0;
}

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

void *mm_malloc(size_t size)
{
    if (!printed) {
        printed = 1;
        forge(); /* the fault */
    }
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    char *b = mem_sbrk((intptr_t)need);
    if (b == (void *)-1)
        return NULL;
    *(size_t *)b = size;
    return b + HDR;
}

void mm_free(void *bp)
{
    (void)bp;
}

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    void *nb = mm_malloc(size);
    if (nb) {
        size_t old = *hdr(bp);
        memcpy(nb, bp, old < size ? old : size);
    }
    return nb;
}
