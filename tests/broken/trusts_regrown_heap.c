/*
 * trusts_regrown_heap.c: FAULT: mm_calloc leaves memory from mem_sbrk as it finds it, trusting
 * it to read as zeros, and mm_free lowers the break when it frees the last block. Memory the
 * break reaches for the first time since the heap was reset does read as zeros; memory it comes
 * back over after a shrink holds what was written there.
 * traces/trusts_regrown_heap.rep: op 2 (line 7) callocs 64 bytes where block 0, freed and given
 * back by op 1, held the driver's pattern ("calloc did not zero").
 *
 * Otherwise base.h's bump allocator, which takes every block from the break.
 */
#define OWN_FREE
#include "base.h"

void mm_free(void *bp)
{
    if (!bp)
        return;
    hdr(bp)[1] = 0;
    size_t size = block_size(hdr(bp)[0]);
    if ((char *)hdr(bp) + size == (char *)mem_heap_hi() + 1)
        mem_sbrk(-(intptr_t)size);
}

void *mm_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    return mm_malloc(nmemb * size); /* the fault: only memory new to the heap reads as zeros */
}
