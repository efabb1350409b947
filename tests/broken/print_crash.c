/*
 * print_crash.c: FAULT: mm_free, which prints every free with printf (on stdout), writes
 * through a NULL link on its 60th call.
 * traces/print_crash.rep: 60 mallocs, then 60 frees; op 119 (line 124), the last free, crashes
 * (SIGSEGV near NULL), and the driver shows the last 10 lines printed: frees 50 to 59.
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include <stdio.h>

#define OWN_FREE
#include "base.h"

static size_t freed;
static size_t *volatile link; /* never set */

void mm_free(void *bp)
{
    if (!bp)
        return;
    printf("free %zu: block of %zu bytes\n", freed, hdr(bp)[0]);
    if (++freed == 60)
        *link = 0; /* the fault */
    hdr(bp)[1] = 0;
}
