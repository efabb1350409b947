/* memlib.c: the simulated heap behind mem_sbrk.
 *
 * The whole maximum is reserved once with no access rights; memory becomes readable and
 * writable only as the break passes it, so an allocator that writes far past its break faults
 * instead of silently using memory it never asked for. Access is granted ahead of the break (in
 * chunks, growing geometrically) and revoked behind it without dropping the pages' frames: the
 * simulation's own system calls and page faults must not dominate the timing of an allocator
 * that moves its break often; for the same reason the driver's timed runs, which follow a
 * checked one, keep access when the break is lowered or reset (mem_set_guard). The driver
 * checks every block against the exact break, so this slack hides no misplaced block.
 * A reset heap reads as zeros again, as a fresh one (a calloc from new memory needs no clearing):
 * the pages the break passed are cleared then, outside any timed run, and memory the break comes
 * back over after a shrink is left as it is, which costs a shrinking allocator nothing.
 * The reservation asks for transparent huge pages, which a process heap gets on a system whose
 * THP mode is "always": with 4 KiB pages, a free of a random block in a heap of hundreds of
 * megabytes spends longer walking the page tables to reach the block's header than on the rest
 * of its work, and how long would depend on the machine's THP setting. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "memlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static size_t max_heap = MAX_HEAP; /* the most the break may rise: exact, as given */
static char *heap_lo;    /* start of the reservation; NULL before mem_init */
static char *brk_ptr;    /* first byte past the heap */
static char *mapped_end; /* first byte past the read-write pages */
static size_t peak;      /* high-water mark of the heap size */
static char *granted_hi; /* high-water mark of mapped_end: access there was granted before */
static int guard = 1;    /* negative sbrk revokes access (mem_set_guard) */

/* Granularity of access changes: 64 KiB, a multiple of every page size Linux uses. */
#define MEM_CHUNK ((size_t)64 * 1024)
#define MEM_GROWTH_DIVISOR 4
#define MEM_SHRINK_SLACK 2
#define CLEAR_PAGES 1024 /* pages asked about at once when clearing (mincore's vector) */

static size_t round_up(size_t n, size_t unit)
{
    return (n + unit - 1) / unit * unit;
}

static size_t page_round_up(size_t n)
{
    return round_up(n, mem_pagesize());
}

void mem_set_max_heap(size_t bytes)
{
    max_heap = bytes;
}

/* The reservation: max_heap in whole pages, the unit of access changes. */
static size_t reserved(void)
{
    return page_round_up(max_heap);
}

size_t mem_max_heap(void)
{
    return max_heap;
}

int mem_reserve(void)
{
    if (heap_lo)
        mem_deinit();
    void *p = mmap(NULL, reserved(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    madvise(p, reserved(), MADV_HUGEPAGE); /* advice only: without THP, 4 KiB pages */
    heap_lo = brk_ptr = mapped_end = granted_hi = p;
    peak = 0;
    return 0;
}

void mem_init(void)
{
    if (mem_reserve() != 0) {
        fprintf(stderr, "mem_init: cannot reserve %zu bytes: %s\n", max_heap, strerror(errno));
        exit(1);
    }
}

void mem_deinit(void)
{
    if (heap_lo)
        munmap(heap_lo, reserved());
    heap_lo = brk_ptr = mapped_end = granted_hi = NULL;
    peak = 0;
}

/* Access is granted in whole chunks, and when it must grow, by at least a quarter more than is
 * granted already, or at once up to what was granted before: a heap lowered and raised again
 * (an allocator that shrinks at the end of every timed run) costs one system call, not one a
 * chunk. */
static int grant_to(char *new_brk)
{
    size_t granted = (size_t)(mapped_end - heap_lo);
    size_t want = round_up((size_t)(new_brk - heap_lo), MEM_CHUNK);
    if (want <= granted)
        return 0;
    size_t step = round_up(granted / MEM_GROWTH_DIVISOR, MEM_CHUNK);
    want = want < granted + step ? granted + step : want;
    want = want < (size_t)(granted_hi - heap_lo) ? (size_t)(granted_hi - heap_lo) : want;
    want = want < reserved() ? want : reserved();
    if (mprotect(mapped_end, want - granted, PROT_READ | PROT_WRITE) != 0)
        return -1;
    mapped_end = heap_lo + want;
    granted_hi = mapped_end > granted_hi ? mapped_end : granted_hi;
    return 0;
}

/* Revokes access above twice new_brk (in whole chunks), so that an allocator whose break swings
 * up and down within a factor of two pays no system call; the frames stay, for a cheap regrowth. */
static void revoke_above(char *new_brk)
{
    char *keep = heap_lo + round_up((size_t)(new_brk - heap_lo) * MEM_SHRINK_SLACK, MEM_CHUNK);
    if (keep < mapped_end) {
        mprotect(keep, (size_t)(mapped_end - keep), PROT_NONE);
        mapped_end = keep;
    }
}

void *mem_sbrk(intptr_t incr)
{
    char *old = brk_ptr;
    size_t size = (size_t)(brk_ptr - heap_lo);
    if (!heap_lo || (incr > 0 && (size_t)incr > max_heap - size) ||
        (incr < 0 && (size_t)-(incr + 1) >= size)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if (incr < 0 && guard)
        revoke_above(brk_ptr + incr);
    else if (incr > 0 && grant_to(brk_ptr + incr) != 0) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk_ptr += incr;
    if ((size_t)(brk_ptr - heap_lo) > peak)
        peak = (size_t)(brk_ptr - heap_lo);
    return old;
}

void mem_set_guard(int on)
{
    guard = on;
}

/* Whether page i of a mincore vector (known: mincore answered) holds memory. */
static int resident(const unsigned char *vec, size_t i, int known)
{
    return !known || (vec[i] & 1);
}

/* Zero the pages in [lo, hi) (page-aligned, accessible): those that hold memory are cleared,
 * the others dropped, which reads them as zero: a huge block that was never written stays
 * untouched, and a page swapped out loses what it held. */
static void clear_pages(char *lo, char *hi)
{
    size_t page = mem_pagesize();
    unsigned char vec[CLEAR_PAGES];
    while (lo < hi) {
        size_t n = (size_t)(hi - lo) / page;
        n = n < CLEAR_PAGES ? n : CLEAR_PAGES;
        int known = mincore(lo, n * page, vec) == 0;
        for (size_t i = 0, j; i < n; i = j) {
            int held = resident(vec, i, known);
            for (j = i + 1; j < n && resident(vec, j, known) == held; j++)
                ;
            if (held)
                memset(lo + i * page, 0, (j - i) * page);
            else
                madvise(lo + i * page, (j - i) * page, MADV_DONTNEED);
        }
        lo += n * page;
    }
}

/* Everything the break passed since the heap last read zero (up to the high-water mark, reset
 * with the heap) reads zero again: below the accessible end by clearing, above it (access
 * revoked) by dropping the pages. */
static void clear_dirty(void)
{
    char *hi = heap_lo + page_round_up(peak);
    char *open = hi < mapped_end ? hi : mapped_end;
    if (hi > open)
        madvise(open, (size_t)(hi - open), MADV_DONTNEED);
    clear_pages(heap_lo, open);
}

/* The heap is empty again and reads zero, as a fresh one: what lies past the break faults, or
 * a write through a pointer kept from before the reset would go unseen. */
void mem_reset_brk(void)
{
    clear_dirty();
    if (guard)
        revoke_above(heap_lo);
    brk_ptr = heap_lo;
    peak = 0;
}

void *mem_heap_lo(void)
{
    return heap_lo;
}

void *mem_heap_hi(void)
{
    return brk_ptr - 1;
}

size_t mem_heapsize(void)
{
    return (size_t)(brk_ptr - heap_lo);
}

size_t mem_peak_heapsize(void)
{
    return peak;
}

size_t mem_pagesize(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

void *mem_memcpy(void *dst, const void *src, size_t n)
{
    return memcpy(dst, src, n);
}

void *mem_memset(void *dst, int c, size_t n)
{
    return memset(dst, c, n);
}
