/* driver/memfault.h: where a memory fault (SIGSEGV, SIGBUS) in a job's child hit, told in terms
 * of the simulated heap: near NULL, at a heap offset (past the break), below or above the heap,
 * or past the end of the stack (endless recursion). A student's allocator that crashes is most
 * often one that followed a bad size or link. */
#ifndef DRIVER_MEMFAULT_H
#define DRIVER_MEMFAULT_H

#include <stddef.h>
#include <stdint.h>

/* Filled in the child by the fault handler, read by the parent once the child is dead. */
struct memfault {
    int known;          /* 1: the child faulted and recorded where */
    uintptr_t addr;     /* the faulting address */
    uintptr_t heap_lo;  /* the simulated heap then */
    size_t heap_size;
    size_t heap_max;    /* the most it could grow to */
    uintptr_t stack_hi; /* the child's stack, from near its top down to its limit */
    size_t stack_room;  /* (0: no limit known) */
};

/* In the child: record the next SIGSEGV or SIGBUS into *where (shared with the parent), then
 * end with that signal as before. */
void memfault_catch(struct memfault *where);

/* In the parent: " at ADDRESS, ..." for a recorded fault (simulated: whether the allocator
 * uses memlib's heap, which the description then refers to), or "" when none was recorded. */
void memfault_describe(const struct memfault *f, int simulated, char *buf, size_t n);

#endif
