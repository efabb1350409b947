/*
 * outside_heap.c: FAULT: serves requests of at most 16 bytes from a static array instead of the
 * heap, so those payloads lie outside [mem_heap_lo, mem_heap_hi].
 * traces/outside_heap.rep: op 1 (line 6) gets a pointer into the array ("outside the heap").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_INIT
#define OWN_TAKE
#include "base.h"

#define POOL 4096

static _Alignas(16) char pool[POOL]; /* the fault: memory the driver never gave out */
static size_t pool_used;

int mm_init(void)
{
    pool_used = 0;
    return 0;
}

static char *take(size_t need)
{
    if (need <= block_size(16) && pool_used + need <= POOL) { /* a block for 16 bytes or less */
        char *b = pool + pool_used;
        pool_used += need;
        return b;
    }
    return grow_heap(need);
}
