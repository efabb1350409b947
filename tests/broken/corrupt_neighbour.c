/*
 * corrupt_neighbour.c: FAULT: mm_free tags the freed block with a footer computed in size_t
 * units instead of bytes (`(size_t *)bp + size - 1`), so the tag lands 8 times too far: inside
 * the payload of the block that follows.
 * traces/corrupt_neighbour.rep: freeing block 0 (op 2, line 7) writes into block 1's payload;
 * the driver finds block 1 "corrupted" at the latest when block 1 is freed (op 3, line 8).
 * traces/corrupt_neighbour_realloc.rep and _end.rep: the same corruption, found when block 1 is
 * reallocated (op 3, line 8) or, never freed, after the last op.
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_FREE
#include "base.h"

#define FREED_TAG ((size_t)0xf4eef4eef4eef4ee)

void mm_free(void *bp)
{
    if (!bp)
        return;
    size_t size = hdr(bp)[0];
    if (size >= sizeof(size_t))
        *((size_t *)bp + size - 1) = FREED_TAG; /* the fault: meant the payload's last word */
}
