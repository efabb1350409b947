/*
 * tail_past_break.c: FAULT: grows the heap for a block by its payload plus one header word
 * (8 bytes), where the header has two, so each new block's payload ends 8 bytes past the break.
 * The block starts inside the heap; only its last bytes are outside.
 * traces/tail_past_break.rep: op 0 (line 5) gets a 64-byte payload whose last 8 bytes lie
 * beyond mem_heap_hi ("outside the heap").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_TAKE
#include "base.h"

static char *take(size_t need)
{
    return grow_heap(need - sizeof(size_t)); /* the fault: one header word counted, not two */
}
