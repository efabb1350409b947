/* memlib.h: the simulated heap. One contiguous reservation of the configured maximum, grown
 * and shrunk by mem_sbrk like the real break, touched only as it grows. Memory the break reaches
 * for the first time since mem_init or mem_reset_brk reads as zeros; memory it comes back over
 * after a negative mem_sbrk holds what was written there. */
#ifndef MEMLIB_H
#define MEMLIB_H

#include <stddef.h>
#include <stdint.h>

void mem_init(void);
void mem_deinit(void);
void *mem_sbrk(intptr_t incr); /* (void *)-1 and errno=ENOMEM when it can't; negative shrinks */
void mem_reset_brk(void);
void *mem_heap_lo(void);       /* first heap byte */
void *mem_heap_hi(void);       /* last heap byte (mem_heap_lo() - 1 when empty) */
size_t mem_heapsize(void);
size_t mem_pagesize(void);

/* For the driver. */
void mem_set_max_heap(size_t bytes); /* before mem_init; default MAX_HEAP */
int mem_reserve(void);               /* mem_init that returns -1 (errno) when it cannot, not exit */
size_t mem_max_heap(void);
size_t mem_peak_heapsize(void);      /* high-water mark since mem_init / mem_reset_brk */
/* on (the default): a negative mem_sbrk or mem_reset_brk takes access away above the break, so
 * stray writes there fault. off: access once granted stays, for timed runs of an allocator
 * whose correctness pass is done, so that its shrinking costs what the allocator does, not the
 * simulation's system calls. */
void mem_set_guard(int on);

/* For CMU-style submissions, which call these instead of memcpy/memset. */
void *mem_memcpy(void *dst, const void *src, size_t n);
void *mem_memset(void *dst, int c, size_t n);

#endif
