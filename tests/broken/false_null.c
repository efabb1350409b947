/*
 * false_null.c: FAULT: enforces a private heap limit of 1 MiB and returns NULL past it, although
 * memlib would hand out far more (the driver's maximum heap).
 * traces/false_null.rep: op 1 (line 6) asks for 600000 bytes with 600016 in use and gets NULL
 * ("returned NULL").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_TAKE
#include "base.h"

#define MY_LIMIT (1 << 20) /* the fault: a limit of its own */

static char *take(size_t need)
{
    if (mem_heapsize() + need > MY_LIMIT)
        return NULL;
    return grow_heap(need);
}
