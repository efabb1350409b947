/* mm.c: the lab's reference allocator.
 *
 * DESIGN NOTE
 *
 * Two kinds of blocks tile the heap, in address order, between a table at the heap's start and a
 * 4-byte epilogue header at its end:
 *
 *   ordinary block   [hdr 4][payload ....................]          (allocated)
 *                    [hdr 4][next 4][prev 4] ....... [ftr 4]        (free)
 *   run block        [hdr 4][slot 0][slot 1] ... [slot n-1] .. [run meta 28]
 *
 * Header word: block size (a multiple of ALIGNMENT, at least 16) | ALLOC | PREV_ALLOC | RUN.
 * Payloads sit at ALIGNMENT boundaries, so headers sit 4 bytes before one. Only free blocks
 * carry a footer; a block knows whether its left neighbour is free from its PREV_ALLOC bit, which
 * is all that coalescing needs. Free-list links are 32-bit offsets from the heap's start.
 *
 * Small requests whose 4-byte header would cost a whole extra ALIGNMENT unit (size a multiple of
 * ALIGNMENT or just below one, up to SMALL_MAX bytes) live headerless in runs: a run is an
 * ordinary allocated block cut into same-size slots, with a free-slot bitmap and list links at its
 * end. A class's first run holds two slots, each new run twice as many (up to 64), so a class
 * with few live objects wastes little. A run is freed as soon as its last slot is. Every other
 * request gets an ordinary block: with a 4-byte header at 16-byte alignment, a 72-byte request
 * costs 80 bytes, exactly what any allocator must spend.
 *
 * free(p) must tell the two kinds apart. Runs start at RUN_ALIGN-aligned payloads and span less
 * than RUN_MAP_REACH bytes; a bitmap with one bit per RUN_ALIGN window of the heap marks where a
 * run starts. The nearest marked window at or below p (one or two 64-bit words, found with a
 * count-leading-zeros) names the only run that could hold p. The bitmap is itself an ordinary
 * block, reallocated (doubled) when runs appear beyond what it covers: it costs 1/512 of the heap.
 *
 * Free ordinary blocks are kept in segregated lists: exact 16-byte classes below 256 bytes, then
 * four classes per power of two. A bitmap of non-empty classes finds the next candidate class with
 * one count-trailing-zeros. Placement is best fit among the first SCAN_LIMIT blocks of the
 * request's class, else the best of the first SCAN_LIMIT of the next non-empty class; the chosen
 * block is split when the rest is a valid block. Freeing coalesces at once with both neighbours.
 * When nothing fits, the heap grows by exactly what is missing (the free block at the top, if
 * any, is used first). So every operation is O(1): no walk grows with the heap.
 *
 * realloc stays in place whenever it can: shrinking splits off the tail; growing absorbs a free
 * right neighbour, or extends the heap when the block is the last one, or slides the payload down
 * into a free left neighbour (memmove). Only then does it allocate, copy and free.
 * When the free block at the top of the heap exceeds SHRINK_THRESHOLD, the heap is lowered
 * (negative mem_sbrk), keeping SHRINK_KEEP bytes for the next growth.
 *
 * The table at the heap's start holds the list heads, the class bitmap, the runs' list heads
 * and run counts; the globals are just the heap base and where the run map is.
 * mm_check walks the heap and every structure and names the first broken invariant.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "memlib.h"
#include "mm.h"

team_t team = {"mmlab", "reference allocator", "", "", ""};

/* ---- Configuration ------------------------------------------------------------------------ */

typedef uint32_t word_t;   /* header, footer and link words */

#define HDR_SIZE 4u                 /* header bytes before each ordinary payload */
#define MIN_BLOCK 16u               /* header + two links + footer */
#define ALLOC 1u                    /* header bit: this block is allocated */
#define PREV_ALLOC 2u               /* header bit: the block to the left is allocated */
#define RUN 4u                      /* header bit: this allocated block is a run of slots */
#define FLAG_MASK 7u
#define NIL 0u                      /* null link (offset 0 is the table, never a block) */

#define LINEAR_LIMIT 256u           /* below it, free classes are exact 16-byte steps */
#define LINEAR_LOG 8u               /* log2(LINEAR_LIMIT) */
#define LINEAR_CLASSES (LINEAR_LIMIT / 16u - 1u)
#define SUB_LOG 2u                  /* 2^SUB_LOG classes per power of two above it */
#define SUB_COUNT (1u << SUB_LOG)
#define NCLASSES (LINEAR_CLASSES + (32u - LINEAR_LOG) * SUB_COUNT)
#define BITMAP_WORDS ((NCLASSES + 63u) / 64u)
#define NO_CLASS 0xffffffffu
#define SCAN_LIMIT 16u              /* blocks examined per class for best fit */

#define SMALL_MAX 512u              /* largest slot size kept in runs */
#define NSMALL (SMALL_MAX / ALIGNMENT)
#define RUN_MAX_SLOTS 64u           /* one 64-bit free mask per run */
#define RUN_MIN_SLOTS 2u            /* a class's first run; each further run doubles */
#define RUN_ALIGN 64u               /* run payloads start on these boundaries (one map bit each) */
#define RUN_MAP_REACH (64u * RUN_ALIGN)    /* a run start lies within 64 map bits below a slot */
#define RUN_SLOT_BYTES (RUN_MAP_REACH - RUN_ALIGN) /* most slot bytes one run may hold */
#define RUN_META 28u                /* freemask 8, next 4, prev 4, slot 4, nslots 4, class 4 */
#define MAP_MIN_WORDS 4u

#define SHRINK_THRESHOLD (256u * 1024u) /* free top block size that makes the heap shrink */
#define SHRINK_KEEP (64u * 1024u)       /* ... down to this much free space at the top */
#define MAX_HEAP_BYTES 0xfffff000u      /* offsets are 32-bit */

/* Table at the heap's start. */
#define HEADS_OFF 0u
#define BITMAP_OFF ((HEADS_OFF + NCLASSES * 4u + 7u) & ~7u)
#define RUNHEADS_OFF (BITMAP_OFF + BITMAP_WORDS * 8u)
#define NRUNS_OFF (RUNHEADS_OFF + NSMALL * 4u)
#define TABLE_END (NRUNS_OFF + NSMALL * 4u)
/* The first block's header sits 4 bytes below an ALIGNMENT boundary. */
#define FIRST_BLOCK_OFF (((TABLE_END + HDR_SIZE + ALIGNMENT - 1u) & ~(ALIGNMENT - 1u)) - HDR_SIZE)

_Static_assert(ALIGNMENT % 8 == 0 && ALIGNMENT <= 64, "block sizes must keep 3 flag bits free");
_Static_assert(ALIGNMENT <= MIN_BLOCK || MIN_BLOCK % ALIGNMENT == 0, "MIN_BLOCK vs ALIGNMENT");
_Static_assert(RUN_ALIGN % ALIGNMENT == 0, "run payloads must be aligned payloads");
_Static_assert(SMALL_MAX % ALIGNMENT == 0 && NSMALL >= 1, "small classes");
_Static_assert((RUN_META + HDR_SIZE) % 8 == 0, "run meta must stay 8-byte aligned");
_Static_assert(SHRINK_KEEP % ALIGNMENT == 0 && SHRINK_KEEP >= MIN_BLOCK, "shrink sizes");
_Static_assert(SUB_COUNT <= LINEAR_LIMIT / 16u, "classes must grow with size");

/* The only globals: 16 bytes. */
static char *heap;          /* mem_heap_lo() */
static word_t map_off;      /* offset of the run-start map's payload, NIL when none yet */
static word_t map_words;    /* its length in 64-bit words */

/* ---- Words, blocks, offsets --------------------------------------------------------------- */

#define ROUND_UP(n, a) (((n) + (a) - 1) / (a) * (a))

static inline word_t *wp(char *p) { return (word_t *)(void *)p; }
static inline word_t hdr(char *b) { return *wp(b); }
static inline size_t bsize(char *b) { return hdr(b) & ~FLAG_MASK; }
static inline int is_alloc(char *b) { return hdr(b) & ALLOC; }
static inline int is_run(char *b) { return hdr(b) & RUN; }
static inline word_t prev_alloc(char *b) { return hdr(b) & PREV_ALLOC; }
static inline void set_hdr(char *b, size_t size, word_t flags) { *wp(b) = (word_t)size | flags; }
static inline char *next_block(char *b) { return b + bsize(b); }
static inline char *prev_block(char *b) { return b - (*wp(b - 4) & ~FLAG_MASK); } /* prev free */
static inline word_t off(char *p) { return (word_t)(p - heap); }
static inline char *at(word_t o) { return heap + o; }
static inline char *epilogue(void) { return heap + mem_heapsize() - HDR_SIZE; }
static inline char *payload(char *b) { return b + HDR_SIZE; }
static inline char *block_of(void *p) { return (char *)p - HDR_SIZE; }

static inline void set_prev_alloc(char *b, int on)
{
    *wp(b) = on ? (hdr(b) | PREV_ALLOC) : (hdr(b) & ~PREV_ALLOC);
}

static inline word_t *heads(void) { return wp(heap + HEADS_OFF); }
static inline uint64_t *class_bits(void) { return (uint64_t *)(void *)(heap + BITMAP_OFF); }
static inline word_t *run_heads(void) { return wp(heap + RUNHEADS_OFF); }
static inline word_t *run_counts(void) { return wp(heap + NRUNS_OFF); }
static inline uint64_t *run_map(void) { return (uint64_t *)(void *)at(map_off); }

/* Free-block links live right after the header. */
static inline word_t *link_next(char *b) { return wp(b + 4); }
static inline word_t *link_prev(char *b) { return wp(b + 8); }

/* Block size an ordinary block needs for a request of n bytes. */
static inline size_t block_need(size_t n)
{
    size_t s = ROUND_UP(n + HDR_SIZE, ALIGNMENT);
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

/* ---- Segregated free lists ------------------------------------------------------------------ */

static unsigned size_class(size_t s)
{
    if (s < LINEAR_LIMIT)
        return (unsigned)(s / 16u) - 1u;
    unsigned fl = 63u - (unsigned)__builtin_clzll(s);
    unsigned sl = (unsigned)(s >> (fl - SUB_LOG)) & (SUB_COUNT - 1u);
    return LINEAR_CLASSES + (fl - LINEAR_LOG) * SUB_COUNT + sl;
}

static void list_insert(char *b)
{
    unsigned c = size_class(bsize(b));
    word_t o = off(b), h = heads()[c];
    *link_next(b) = h;
    *link_prev(b) = NIL;
    if (h != NIL)
        *link_prev(at(h)) = o;
    heads()[c] = o;
    class_bits()[c / 64u] |= 1ull << (c % 64u);
}

static void list_remove(char *b)
{
    unsigned c = size_class(bsize(b));
    word_t n = *link_next(b), p = *link_prev(b);
    if (p != NIL)
        *link_next(at(p)) = n;
    else if ((heads()[c] = n) == NIL)
        class_bits()[c / 64u] &= ~(1ull << (c % 64u));
    if (n != NIL)
        *link_prev(at(n)) = p;
}

/* Mark [b, b+size) free: header, footer, list, and tell the right neighbour. */
static void make_free(char *b, size_t size, word_t prev_flag)
{
    set_hdr(b, size, prev_flag);
    *wp(b + size - 4) = (word_t)size;
    list_insert(b);
    set_prev_alloc(b + size, 0);
}

/* First non-empty class at or above c, or NO_CLASS. */
static unsigned next_class(unsigned c)
{
    unsigned w = c / 64u;
    if (w >= BITMAP_WORDS)
        return NO_CLASS;
    uint64_t bits = class_bits()[w] & (~0ull << (c % 64u));
    while (!bits) {
        if (++w == BITMAP_WORDS)
            return NO_CLASS;
        bits = class_bits()[w];
    }
    return w * 64u + (unsigned)__builtin_ctzll(bits);
}

/* Smallest block >= need among the first SCAN_LIMIT of class c. */
static char *scan_class(unsigned c, size_t need)
{
    char *best = NULL;
    size_t best_size = SIZE_MAX;
    unsigned k = 0;
    for (word_t o = heads()[c]; o != NIL && k < SCAN_LIMIT; o = *link_next(at(o)), k++) {
        size_t s = bsize(at(o));
        if (s >= need && s < best_size) {
            best = at(o);
            best_size = s;
            if (s == need)
                break;
        }
    }
    return best;
}

static char *find_fit(size_t need)
{
    unsigned c = size_class(need);
    char *b = (heads()[c] != NIL) ? scan_class(c, need) : NULL;
    if (b)
        return b;
    c = next_class(c + 1u);
    return c == NO_CLASS ? NULL : scan_class(c, need);
}

/* ---- Carving blocks -------------------------------------------------------------------------- */

/* Grow the heap by n bytes (a multiple of ALIGNMENT) and write a new epilogue. */
static int extend_heap(size_t n)
{
    if (mem_heapsize() + n > MAX_HEAP_BYTES || mem_sbrk((intptr_t)n) == (void *)-1)
        return 0;
    set_hdr(epilogue(), 0, ALLOC);
    return 1;
}

/* [f, f+fs) is a free region in no list (its header's PREV_ALLOC still valid). Allocate
 * [start, start+size) in it with the given extra flags; the gap before start and a tail of at
 * least MIN_BLOCK become free blocks; a smaller tail is absorbed. Returns the block. */
static char *carve(char *f, size_t fs, char *start, size_t size, word_t flags)
{
    word_t pa = prev_alloc(f);
    if (start > f) {
        make_free(f, (size_t)(start - f), pa);
        pa = 0;
    }
    size_t tail = fs - (size_t)(start - f) - size;
    if (tail < MIN_BLOCK) {
        size += tail;
        tail = 0;
    }
    set_hdr(start, size, ALLOC | pa | flags);
    if (tail)
        make_free(start + size, tail, PREV_ALLOC);
    else
        set_prev_alloc(start + size, 1);
    return start;
}

/* The free block at the top of the heap, or the epilogue (size 0) when the top is allocated. */
static char *top_region(size_t *size)
{
    char *e = epilogue();
    if (prev_alloc(e)) {
        *size = 0;
        return e;
    }
    char *f = prev_block(e);
    *size = bsize(f);
    return f;
}

/* Make the top region span at least want bytes from f; f leaves its list. */
static int grow_top(char *f, size_t fs, size_t want)
{
    if (want > fs && !extend_heap(want - fs))
        return 0;
    if (fs)
        list_remove(f);
    return 1;
}

static char *alloc_block(size_t need)
{
    char *f = find_fit(need);
    if (f) {
        list_remove(f);
        return carve(f, bsize(f), f, need, 0);
    }
    size_t fs;
    f = top_region(&fs);
    if (!grow_top(f, fs, need))
        return NULL;
    return carve(f, need > fs ? need : fs, f, need, 0);
}

/* Release the top of the heap when the free block there is large. */
static void maybe_shrink(char *b)
{
    size_t s = bsize(b);
    if (s < SHRINK_THRESHOLD || b + s != epilogue())
        return;
    list_remove(b);
    if (mem_sbrk(-(intptr_t)(s - SHRINK_KEEP)) == (void *)-1) {
        list_insert(b);
        return;
    }
    set_hdr(epilogue(), 0, ALLOC);
    make_free(b, SHRINK_KEEP, prev_alloc(b));
}

/* Free ordinary block b, coalescing at once. */
static void free_block(char *b)
{
    size_t s = bsize(b);
    word_t pa = prev_alloc(b);
    char *n = b + s;
    if (!is_alloc(n)) {
        list_remove(n);
        s += bsize(n);
    }
    if (!pa) {
        b = prev_block(b);
        list_remove(b);
        s += bsize(b);
        pa = prev_alloc(b);
    }
    make_free(b, s, pa);
    maybe_shrink(b);
}

/* ---- Runs of small slots --------------------------------------------------------------------- */

struct __attribute__((packed, aligned(4))) run_meta { /* at the end of a run block */
    uint64_t free_mask; /* bit i set: slot i free */
    word_t next, prev;  /* non-full runs of the class */
    word_t slot, nslots, cls;
};
_Static_assert(sizeof(struct run_meta) == RUN_META, "run meta layout");

static inline struct run_meta *meta(char *run) { return (void *)(run + bsize(run) - RUN_META); }
static inline uint64_t full_mask(unsigned n) { return n >= 64u ? ~0ull : (1ull << n) - 1u; }
static inline int small_size(size_t n)
{
    size_t slot = ROUND_UP(n, ALIGNMENT);
    return slot <= SMALL_MAX && block_need(n) > slot;
}

static void run_push(char *r)
{
    struct run_meta *m = meta(r);
    word_t h = run_heads()[m->cls];
    m->next = h;
    m->prev = NIL;
    if (h != NIL)
        meta(at(h))->prev = off(r);
    run_heads()[m->cls] = off(r);
}

static void run_unlink(char *r)
{
    struct run_meta *m = meta(r);
    if (m->prev != NIL)
        meta(at(m->prev))->next = m->next;
    else
        run_heads()[m->cls] = m->next;
    if (m->next != NIL)
        meta(at(m->next))->prev = m->prev;
}

static inline void map_flip(char *run)
{
    size_t w = (size_t)(payload(run) - heap) / RUN_ALIGN;
    run_map()[w / 64u] ^= 1ull << (w % 64u);
}

/* Make sure the run map covers the heap plus `extra` bytes. */
static int map_reserve(size_t extra)
{
    for (;;) {
        size_t windows = (mem_heapsize() + extra + 2u * RUN_ALIGN) / RUN_ALIGN + 1u;
        size_t words = (windows + 63u) / 64u;
        if (words <= map_words)
            return 1;
        size_t nw = words * 2u > MAP_MIN_WORDS ? words * 2u : MAP_MIN_WORDS;
        char *b = alloc_block(block_need(nw * 8u));
        if (!b)
            return 0;
        memset(payload(b), 0, nw * 8u);
        if (map_off != NIL) {
            memcpy(payload(b), run_map(), map_words * 8u);
            free_block(block_of(run_map()));
        }
        map_off = off(payload(b));
        map_words = (word_t)nw;
    }
}

/* First position >= f where a block's payload is RUN_ALIGN-aligned with a usable gap before. */
static char *run_start_in(char *f)
{
    char *p = heap + ROUND_UP((size_t)(payload(f) - heap), RUN_ALIGN);
    if (p - HDR_SIZE != f && (size_t)(p - HDR_SIZE - f) < MIN_BLOCK)
        p += RUN_ALIGN;
    return p - HDR_SIZE;
}

/* Carve a run block of `size` bytes at an aligned position. */
static char *place_run(size_t size)
{
    char *f = find_fit(size + RUN_ALIGN + MIN_BLOCK);
    if (f) {
        list_remove(f);
        return carve(f, bsize(f), run_start_in(f), size, RUN);
    }
    size_t fs;
    f = top_region(&fs);
    char *start = run_start_in(f);
    size_t want = (size_t)(start - f) + size;
    if (!grow_top(f, fs, want))
        return NULL;
    return carve(f, want > fs ? want : fs, start, size, RUN);
}

static char *run_create(unsigned c)
{
    size_t slot = (size_t)(c + 1u) * ALIGNMENT;
    unsigned n = RUN_MIN_SLOTS << (run_counts()[c] < 6u ? run_counts()[c] : 6u);
    if (n > RUN_MAX_SLOTS)
        n = RUN_MAX_SLOTS;
    if (n * slot > RUN_SLOT_BYTES)
        n = (unsigned)(RUN_SLOT_BYTES / slot);
    size_t size = ROUND_UP(HDR_SIZE + n * slot + RUN_META, ALIGNMENT);
    if (!map_reserve(size + RUN_ALIGN + MIN_BLOCK))
        return NULL;
    char *r = place_run(size);
    if (!r)
        return NULL;
    struct run_meta *m = meta(r);
    m->free_mask = full_mask(n);
    m->slot = (word_t)slot;
    m->nslots = n;
    m->cls = c;
    map_flip(r);
    run_counts()[c]++;
    run_push(r);
    return r;
}

static void *small_malloc(size_t n)
{
    unsigned c = (unsigned)(ROUND_UP(n, ALIGNMENT) / ALIGNMENT) - 1u;
    word_t o = run_heads()[c];
    char *r = o != NIL ? at(o) : run_create(c);
    if (!r)
        return NULL;
    struct run_meta *m = meta(r);
    unsigned i = (unsigned)__builtin_ctzll(m->free_mask);
    m->free_mask &= m->free_mask - 1u;
    if (!m->free_mask)
        run_unlink(r);
    return payload(r) + (size_t)i * m->slot;
}

/* The run holding p, or NULL when p is an ordinary block's payload. */
static char *run_of(void *p)
{
    size_t w = (size_t)((char *)p - heap) / RUN_ALIGN;
    if (map_off == NIL || w / 64u >= map_words)
        return NULL;
    uint64_t *map = run_map();
    size_t k = w / 64u;
    unsigned bit = (unsigned)(w % 64u);
    uint64_t bits = map[k] & (bit == 63u ? ~0ull : (2ull << bit) - 1u);
    if (!bits) {
        if (k == 0 || bit == 63u || !(bits = map[k - 1] & (~0ull << (bit + 1u))))
            return NULL;
        k--;
    }
    char *r = heap + (k * 64u + 63u - (unsigned)__builtin_clzll(bits)) * RUN_ALIGN - HDR_SIZE;
    struct run_meta *m = meta(r);
    return (char *)p < payload(r) + (size_t)m->nslots * m->slot ? r : NULL;
}

static void small_free(char *r, void *p)
{
    struct run_meta *m = meta(r);
    unsigned i = (unsigned)(((char *)p - payload(r)) / m->slot);
    if (!m->free_mask)
        run_push(r);
    m->free_mask |= 1ull << i;
    if (m->free_mask != full_mask(m->nslots))
        return;
    run_unlink(r);
    run_counts()[m->cls]--;
    map_flip(r);
    set_hdr(r, bsize(r), ALLOC | prev_alloc(r));
    free_block(r);
}

/* ---- Public interface ------------------------------------------------------------------------ */

int mm_init(void)
{
    heap = mem_heap_lo();
    map_off = NIL;
    map_words = 0;
    if (mem_heapsize() != 0 && mem_sbrk(-(intptr_t)mem_heapsize()) == (void *)-1)
        return -1;
    if (mem_sbrk(FIRST_BLOCK_OFF + HDR_SIZE) == (void *)-1)
        return -1;
    heap = mem_heap_lo();
    memset(heap, 0, FIRST_BLOCK_OFF);
    set_hdr(epilogue(), 0, ALLOC | PREV_ALLOC);
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size == 0)
        size = 1; /* a distinct pointer, as glibc gives */
    if (size > MAX_HEAP_BYTES)
        return NULL;
    if (small_size(size))
        return small_malloc(size);
    char *b = alloc_block(block_need(size));
    return b ? payload(b) : NULL;
}

void mm_free(void *ptr)
{
    if (!ptr)
        return;
    char *r = run_of(ptr);
    if (r)
        small_free(r, ptr);
    else
        free_block(block_of(ptr));
}

/* Try to make ordinary block b span need bytes without moving it. */
static int grow_in_place(char *b, size_t need)
{
    size_t s = bsize(b);
    char *n = b + s;
    size_t ns = is_alloc(n) ? 0 : bsize(n);
    if (s + ns < need) {
        if (n + ns != epilogue() || !extend_heap(need - s - ns))
            return 0;
        if (ns)
            list_remove(n);
        ns = need - s;
    } else if (ns) {
        list_remove(n);
    }
    carve(b, s + ns, b, need, 0);
    return 1;
}

/* Slide ordinary block b down into its free left neighbour (and right one) to span need. */
static char *grow_into_prev(char *b, size_t need, size_t keep)
{
    if (prev_alloc(b))
        return NULL;
    char *p = prev_block(b);
    size_t s = bsize(b), ps = bsize(p);
    char *n = b + s;
    size_t ns = is_alloc(n) ? 0 : bsize(n);
    if (ps + s + ns < need)
        return NULL;
    list_remove(p);
    if (ns)
        list_remove(n);
    memmove(payload(p), payload(b), keep);
    return carve(p, ps + s + ns, p, need, 0);
}

static void shrink_in_place(char *b, size_t need)
{
    size_t s = bsize(b);
    if (s - need < MIN_BLOCK)
        return;
    char *n = b + s;
    size_t tail = s - need;
    set_hdr(b, need, ALLOC | prev_alloc(b));
    set_hdr(b + need, tail, PREV_ALLOC | ALLOC);
    set_prev_alloc(n, 1);
    free_block(b + need);
}

void *mm_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return mm_malloc(size);
    if (size == 0) {
        mm_free(ptr);
        return NULL;
    }
    if (size > MAX_HEAP_BYTES)
        return NULL;
    char *r = run_of(ptr);
    size_t old;
    if (r) {
        old = meta(r)->slot;
        if (small_size(size) && ROUND_UP(size, ALIGNMENT) == old)
            return ptr;
    } else {
        char *b = block_of(ptr);
        size_t need = block_need(size);
        old = bsize(b) - HDR_SIZE;
        if (need <= bsize(b)) {
            shrink_in_place(b, need);
            return ptr;
        }
        if (grow_in_place(b, need))
            return ptr;
        char *q = grow_into_prev(b, need, old);
        if (q)
            return payload(q);
    }
    void *np = mm_malloc(size);
    if (!np)
        return NULL;
    memcpy(np, ptr, old < size ? old : size);
    mm_free(ptr);
    return np;
}

void *mm_calloc(size_t nmemb, size_t size)
{
    if (nmemb && size > SIZE_MAX / nmemb)
        return NULL;
    size_t n = nmemb * size;
    void *p = mm_malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* ---- Heap checker ---------------------------------------------------------------------------- */

#define CHECK_FAIL(...) (fprintf(stderr, "mm_check: " __VA_ARGS__), fputc('\n', stderr), 0)

struct census {           /* what the heap walk saw, to compare with the structures */
    size_t free_blocks, runs, open_runs;
    uint64_t free_hash, open_hash;
    unsigned runs_of[NSMALL];
};

static uint64_t mix(word_t o)
{
    uint64_t x = (uint64_t)o * 0x9e3779b97f4a7c15ull;
    return x ^ (x >> 29);
}

static int check_run(char *r, struct census *cs)
{
    struct run_meta *m = meta(r);
    word_t o = off(r);
    if ((size_t)(payload(r) - heap) % RUN_ALIGN)
        return CHECK_FAIL("run at offset %u: payload not %u-aligned", o, RUN_ALIGN);
    size_t w = (size_t)(payload(r) - heap) / RUN_ALIGN;
    if (map_off == NIL || w / 64u >= map_words || !(run_map()[w / 64u] >> (w % 64u) & 1u))
        return CHECK_FAIL("run at offset %u: its start is not marked in the run map", o);
    if (m->cls >= NSMALL || m->slot != (m->cls + 1u) * ALIGNMENT)
        return CHECK_FAIL("run at offset %u: bad class %u / slot size %u", o, m->cls, m->slot);
    if (m->nslots == 0 || m->nslots > RUN_MAX_SLOTS ||
        HDR_SIZE + (size_t)m->nslots * m->slot + RUN_META > bsize(r) ||
        (size_t)m->nslots * m->slot > RUN_SLOT_BYTES)
        return CHECK_FAIL("run at offset %u: %u slots of %u do not fit its %zu bytes", o,
                          m->nslots, m->slot, bsize(r));
    if (m->free_mask & ~full_mask(m->nslots))
        return CHECK_FAIL("run at offset %u: slot bitmap marks slots past its %u slots", o,
                          m->nslots);
    if (m->free_mask == full_mask(m->nslots))
        return CHECK_FAIL("run at offset %u: slot bitmap says all slots free, run not freed", o);
    cs->runs++;
    cs->runs_of[m->cls]++;
    if (m->free_mask) {
        cs->open_runs++;
        cs->open_hash += mix(o);
    }
    return 1;
}

static int check_block(char *b, char *end, int prev_free, struct census *cs)
{
    word_t o = off(b);
    size_t s = bsize(b);
    if ((size_t)(payload(b) - heap) % ALIGNMENT)
        return CHECK_FAIL("block at offset %u: payload not aligned to %d", o, ALIGNMENT);
    if (s < MIN_BLOCK || s % ALIGNMENT || s > (size_t)(end - b))
        return CHECK_FAIL("block at offset %u: bad size %zu (heap does not tile: block runs past "
                          "the epilogue or overlaps its neighbour)", o, s);
    if ((prev_alloc(b) == 0) != prev_free)
        return CHECK_FAIL("block at offset %u: PREV_ALLOC bit %d but the block before is %s", o,
                          !!prev_alloc(b), prev_free ? "free" : "allocated");
    if (is_alloc(b))
        return is_run(b) ? check_run(b, cs) : 1;
    if (is_run(b))
        return CHECK_FAIL("block at offset %u: free but tagged as a run", o);
    if (*wp(b + s - 4) != s)
        return CHECK_FAIL("free block at offset %u: footer %u does not match header size %zu", o,
                          *wp(b + s - 4), s);
    if (prev_free)
        return CHECK_FAIL("free block at offset %u: its left neighbour is free too "
                          "(not coalesced)", o);
    cs->free_blocks++;
    cs->free_hash += mix(o);
    return 1;
}

/* Which walked block encloses offset o (diagnostics only: linear). */
static word_t enclosing_block(word_t o)
{
    char *end = epilogue();
    for (char *b = at(FIRST_BLOCK_OFF); b < end && bsize(b) > 0; b = next_block(b))
        if (off(b) < o && o < off(b) + bsize(b))
            return off(b);
    return NIL;
}

static int check_free_node(unsigned c, word_t o, word_t prev, int deep)
{
    char *end = epilogue();
    if (o < FIRST_BLOCK_OFF || at(o) >= end || (o + HDR_SIZE) % ALIGNMENT)
        return CHECK_FAIL("free list %u: link %u points outside the heap's blocks", c, o);
    char *b = at(o);
    if (is_alloc(b))
        return CHECK_FAIL("free list %u: block at offset %u is allocated", c, o);
    if (bsize(b) < MIN_BLOCK || b + bsize(b) > end || size_class(bsize(b)) != c)
        return CHECK_FAIL("free list %u: block at offset %u (size %zu) belongs to class %u", c, o,
                          bsize(b), bsize(b) >= MIN_BLOCK ? size_class(bsize(b)) : NO_CLASS);
    if (*link_prev(b) != prev)
        return CHECK_FAIL("free list %u: block at offset %u has prev link %u, expected %u", c, o,
                          *link_prev(b), prev);
    word_t e = deep ? enclosing_block(o) : NIL;
    if (e != NIL)
        return CHECK_FAIL("free list %u: block at offset %u lies inside block at offset %u "
                          "(overlapping blocks)", c, o, e);
    return 1;
}

static int check_free_lists(struct census *cs)
{
    size_t count = 0;
    uint64_t hash = 0;
    for (unsigned c = 0; c < NCLASSES; c++) {
        int bit = (int)(class_bits()[c / 64u] >> (c % 64u) & 1u);
        if (bit != (heads()[c] != NIL))
            return CHECK_FAIL("class bitmap bit %u is %d but list %u is %s", c, bit, c,
                              heads()[c] != NIL ? "non-empty" : "empty");
        word_t prev = NIL;
        for (word_t o = heads()[c]; o != NIL; prev = o, o = *link_next(at(o))) {
            if (++count > cs->free_blocks)
                return check_free_node(c, o, prev, 1) &&
                       CHECK_FAIL("free lists hold more blocks than the heap has free blocks "
                                  "(cycle or stale link at offset %u, list %u)", o, c);
            if (!check_free_node(c, o, prev, 0))
                return 0;
            hash += mix(o);
        }
    }
    if (count != cs->free_blocks || hash != cs->free_hash)
        return CHECK_FAIL("free lists hold %zu blocks, the heap has %zu free blocks: a free block "
                          "is missing from its list, or a list holds a block that is not one",
                          count, cs->free_blocks);
    return 1;
}

/* Slow path for check_free_lists' verdict: name the node or block at fault. */
static int diagnose_free_lists(void)
{
    for (unsigned c = 0; c < NCLASSES; c++) {
        word_t prev = NIL;
        for (word_t o = heads()[c]; o != NIL; prev = o, o = *link_next(at(o)))
            if (!check_free_node(c, o, prev, 1))
                return 0;
    }
    char *end = epilogue();
    for (char *b = at(FIRST_BLOCK_OFF); b < end; b = next_block(b)) {
        if (is_alloc(b))
            continue;
        unsigned c = size_class(bsize(b));
        word_t o = heads()[c];
        while (o != NIL && o != off(b))
            o = *link_next(at(o));
        if (o == NIL)
            return CHECK_FAIL("free block at offset %u (size %zu) is missing from free list %u",
                              off(b), bsize(b), c);
    }
    return 1;
}

static int check_runs(struct census *cs)
{
    size_t count = 0;
    uint64_t hash = 0;
    for (unsigned c = 0; c < NSMALL; c++) {
        if (run_counts()[c] != cs->runs_of[c])
            return CHECK_FAIL("class %u: run count %u but the heap has %u runs", c,
                              run_counts()[c], cs->runs_of[c]);
        word_t prev = NIL;
        for (word_t o = run_heads()[c]; o != NIL; prev = o, o = meta(at(o))->next) {
            char *r = at(o);
            if (++count > cs->open_runs || o < FIRST_BLOCK_OFF || r >= epilogue() ||
                (o + HDR_SIZE) % RUN_ALIGN || !is_run(r) || !is_alloc(r))
                return CHECK_FAIL("run list %u: offset %u is not a run of the heap", c, o);
            struct run_meta *m = meta(r);
            if (m->cls != c || m->prev != prev || !m->free_mask)
                return CHECK_FAIL("run list %u: run at offset %u has class %u, prev %u (expected "
                                  "%u), free mask %#llx", c, o, m->cls, m->prev, prev,
                                  (unsigned long long)m->free_mask);
            hash += mix(o);
        }
    }
    if (count != cs->open_runs || hash != cs->open_hash)
        return CHECK_FAIL("run lists hold %zu runs, the heap has %zu runs with free slots",
                          count, cs->open_runs);
    size_t marked = 0;
    for (word_t k = 0; map_off != NIL && k < map_words; k++)
        marked += (size_t)__builtin_popcountll(run_map()[k]);
    if (marked != cs->runs)
        return CHECK_FAIL("run map marks %zu run starts, the heap has %zu runs (a run overlaps "
                          "another block or the map is stale)", marked, cs->runs);
    return 1;
}

int mm_check(int verbose)
{
    if (!heap || mem_heapsize() < FIRST_BLOCK_OFF + HDR_SIZE)
        return CHECK_FAIL("heap not initialised");
    char *end = epilogue();
    if (bsize(end) != 0 || !is_alloc(end))
        return CHECK_FAIL("epilogue at offset %u is not a 0-size allocated header", off(end));
    struct census cs;
    memset(&cs, 0, sizeof cs);
    int prev_free = 0;
    char *b = at(FIRST_BLOCK_OFF);
    for (; b < end; b = next_block(b)) {
        if (!check_block(b, end, prev_free, &cs))
            return 0;
        prev_free = !is_alloc(b);
    }
    if (b != end)
        return CHECK_FAIL("blocks do not tile the heap: walk ends at offset %u, epilogue at %u",
                          off(b), off(end));
    if ((prev_alloc(end) == 0) != prev_free)
        return CHECK_FAIL("epilogue PREV_ALLOC bit disagrees with the last block");
    if (!check_free_lists(&cs))
        return diagnose_free_lists() && 0;
    if (!check_runs(&cs))
        return 0;
    if (verbose)
        fprintf(stderr, "mm_check: ok: heap %zu bytes, %zu free blocks, %zu runs\n",
                mem_heapsize(), cs.free_blocks, cs.runs);
    return 1;
}
