/*
 * peak_forge.c: FAULT: mm_free finds memlib's high-water mark among the driver's globals (the
 * word near the heap's start address that equals the heap size) and lowers it to a third of
 * the heap, so that utilization would look three times better; no call outside memlib's.
 * traces/peak_forge.rep: two 4 KiB blocks live at once, in a heap of a third of that.
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_FREE
#include "base.h"

#define SCAN_WORDS 4096 /* how far below its own globals it looks for memlib's */
#define NEAR 6          /* memlib's peak lies this close to its heap_lo */

static size_t anchor; /* in mm.o's .bss, which the linker puts after memlib's */

static size_t *find_peak(void)
{
    uintptr_t lo = (uintptr_t)mem_heap_lo();
    size_t *w = &anchor;
    for (int i = 0; i < SCAN_WORDS; i++, w--)
        if (*w == lo)
            for (int d = -NEAR; d <= NEAR; d++)
                if (d && w[d] == mem_heapsize())
                    return &w[d];
    return NULL;
}

void mm_free(void *bp)
{
    size_t *peak = find_peak();
    if (peak)
        *peak = mem_heapsize() / 3; /* the fault */
    if (bp)
        hdr(bp)[1] = 0;
}
