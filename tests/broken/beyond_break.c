/*
 * beyond_break.c: FAULT: grows the heap in chunks but decides whether the chunk is used up by
 * comparing where the next block STARTS with the break (`top > end`, not `top + need > end`).
 * When a chunk is exactly full, the next block is carved past mem_heap_hi: inside the heap's
 * reservation, beyond the break.
 * traces/beyond_break.rep: four 992-byte blocks fill the first chunk; op 4 (line 9) gets a
 * payload past the break ("outside the heap").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_INIT
#define OWN_TAKE
#include "base.h"

#define CHUNK 4032 /* four blocks of 1008 bytes; not a whole page, so the header write past the
                      break still lands on a mapped page and only the driver can notice */

static char *top; /* where the next block goes */
static char *end; /* the break */

int mm_init(void)
{
    top = grow_heap(CHUNK);
    if (!top)
        return -1;
    end = top + CHUNK;
    return 0;
}

static char *take(size_t need)
{
    if (top > end) { /* the fault */
        size_t grow = need > CHUNK ? need : CHUNK;
        if (!grow_heap(grow))
            return NULL;
        end += grow;
    }
    char *b = top;
    top += need;
    return b;
}
