/*
 * shrink_heap.c: FAULT: mm_free hands a large block back to memlib with a negative mem_sbrk
 * without checking that the block is the last one in the heap, so the heap shrinks under the
 * live blocks that follow it.
 * traces/shrink_heap.rep: op 2 (line 7) frees the 8 KiB block 0 while block 1 lies above it;
 * afterwards block 1 is past mem_heap_hi ("beyond the break").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_FREE
#include "base.h"

#define GIVE_BACK 4096 /* blocks at least this big are returned to memlib when freed */

void mm_free(void *bp)
{
    if (!bp)
        return;
    size_t need = block_size(hdr(bp)[0]);
    if (need >= GIVE_BACK) /* the fault: missing `&& bp + need - HDR == mem_heap_hi() + 1` */
        mem_sbrk(-(intptr_t)need);
}
