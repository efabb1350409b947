/*
 * print_flood.c: FAULT: mm_free prints the free list as it walks it, and the list is a cycle
 * (each freed block is linked to itself): it prints the same block without end.
 * traces/print_flood.rep: op 2 (line 7) is the first free ("printed more than 64 MiB to stdout",
 * long before the timeout).
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#include <stdio.h>

#define FREE_LIST
#define OWN_FREE
#include "base.h"

void mm_free(void *bp)
{
    if (!bp)
        return;
    hdr(bp)[1] = 0;
    *link_of(bp) = bp; /* the fault: should be free_list */
    free_list = bp;
    for (void *p = free_list; p; p = *link_of(p))
        printf("free block %p, %zu bytes\n", p, hdr(p)[0]);
}
