/*
 * corrupt_slow.c: FAULT: corrupt_neighbour.c's (mm_free's tag lands in the next block's
 * payload), in an allocator that takes SLOW_NS for each new block. Under -D, on
 * traces/corrupt_slow.rep (corrupt_neighbour_big.rep's ops), the first replay finds the
 * corruption before op 10 (10 mallocs, 2 s) and a second replay names op 6 (6 mallocs, 1.2 s):
 * with -s 2.6, that second replay must get a clock of its own, or the corruption is reported as
 * a timeout at op 4.
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_TAKE
#include "corrupt_neighbour.c"

#include <time.h>

#define SLOW_NS 200000000L /* 200 ms per new block */

static char *take(size_t need)
{
    struct timespec t = {.tv_sec = 0, .tv_nsec = SLOW_NS};
    nanosleep(&t, NULL);
    return grow_heap(need);
}
