/* mm.c: the lab's reference allocator.
 *
 * DESIGN NOTE
 *
 * Blocks. The heap is a row of blocks in address order, after ALIGNMENT - 4 bytes of padding
 * and before a 4-byte epilogue header. Each block starts with a 4-byte header: its size (a
 * multiple of ALIGNMENT, at least 16) and three bits, ALLOC, PREV_ALLOC (the block to the left
 * is allocated) and RUN. Payloads sit on ALIGNMENT boundaries, so headers sit 4 bytes below one.
 *
 *   ordinary block   [hdr 4][payload ......................]         (allocated)
 *                    [hdr 4][link 4][link 4] ........ [ftr 4]        (free)
 *   run block        [hdr 4][meta 16][slot 0][slot 1] ... [slot n-1][links 8] ..
 *
 * Only free blocks carry a footer (their size): a block knows from its PREV_ALLOC bit whether
 * its left neighbour is free, and only then reads that footer to find it. Links, and every
 * other position the allocator stores, are 32-bit offsets from the heap's start. An ordinary
 * block costs its request plus 4 bytes, rounded up to ALIGNMENT: a 72-byte request takes 80
 * bytes at 16-byte alignment, as it must with any allocator.
 *
 * Runs. A request whose 4-byte header would cost a whole extra ALIGNMENT unit (a size that is a
 * multiple of ALIGNMENT or just below one) gets no header: up to SMALL_MAX (128) bytes it takes a
 * slot of a run, an ordinary allocated block cut into same-size slots, with a meta (its slot size
 * and a free-slot bitmap) before them and list links after them. A size class turns to runs once
 * it is popular (RUN_THRESHOLD, 24 requests); its first run holds 2 slots, each new one twice as
 * many, up to 64, so a class with few live objects wastes little. A new run is carved from the
 * free block that fits it best, or from the heap top, but never grows the heap while a hole could
 * hold the request as an ordinary block, nor, for slots of 4 ALIGNMENT units or more
 * (RUN_FILL_SLOT), splits a hole while a small one could hold it. A run is freed with its last
 * slot, except that a class whose runs keep coming and going keeps one empty run (see
 * run_emptied). Larger slots stay ordinary: a run lives as long as any of its slots, and a nearly
 * empty run of big slots pins more than its slots' headers would cost.
 *
 * Slot or block. free(p) gets no size, and a slot has no header. Runs start on RUN_ALIGN
 * (64-byte) boundaries, and a map with one bit per 64 bytes of heap marks where runs start:
 * the nearest mark at or below p names the only run that could hold p, and p is one of its
 * slots when it lies inside that run's block. The map, and each class's list of runs with free
 * slots, live in the run directory, an ordinary block (1/512 of the heap) made with the first
 * run and reallocated as the heap grows.
 *
 * Free blocks. Below LIST_LIMIT (256) bytes, free blocks sit in segregated lists, one per 16
 * bytes of size, with a bitmap of the non-empty ones: a request takes the smallest fitting
 * block among the first SCAN_LIMIT (4) of its list, the lowest-addressed of equal ones (the
 * higher ones stay free longer, to merge with neighbours freed later), else the first block of
 * the next non-empty list. From 256 bytes up, 64 "big" classes (8 per power of two up to 16
 * KiB, then 2) with a 64-bit bitmap: a request takes the best fit among the first BIG_SCAN (16)
 * blocks of its own class, else the smallest of the first 16 of the next non-empty class. That
 * is nearly best fit at a bounded cost: only the last class, every size from 3 MiB, is searched
 * whole (a 1 GiB heap holds at most 341 such blocks); examining 256 blocks instead of 16 moved
 * no average by more than 0.001 util/bound. The 64 class heads live in a table block
 * made once the heap reaches TABLE_AT (128 KiB); a smaller heap keeps its few big free blocks
 * in one list (exact best fit) and pays for no table. The free block at the heap top serves a
 * request only when no other one fits (it can grow, the others cannot); when none fits, the
 * heap grows by exactly what is missing. One exception: the last hole of 1 MiB or more that a
 * free left inside the heap is kept whole for a block of its size, so a request of at most 1/16
 * of it takes the top instead, up to 1/16 of it in all (see kept holes). A chosen block is split
 * when the rest makes a valid block, and freeing coalesces at once with both neighbours. A
 * request under 256 bytes splits a big block under 16 KiB from its high end when the rest stays
 * in the block's class: the rest keeps its place in the class, and so does the block that a
 * free grows back (take_high). A block of the allocator's own (table, run directory) right
 * above a freed hole, with a hole or the heap top above it, moves down to the freed hole's low
 * end so that the two holes merge (free_region); one at the heap top rides up past a block that
 * grows below it (meta_ride).
 *
 * realloc stays in place when it can: shrinking splits off the tail; growing takes a free
 * right neighbour, extends the heap when the block is the last one, or slides the payload down
 * into a free left neighbour. Only then does it move the block: into a hole of its own size
 * class if one fits, else into the lowest-addressed hole that fits rather than the tightest,
 * so that blocks growing side by side do not leapfrog each other and strand a hole at each
 * move; holes over MOVE_SPAN (8) times its size come last, for the tightest of them. A last
 * block slides down into a free left neighbour rather than strand it, but one under 1/16 of the
 * heap only on a copy credit that each such growth adds to (see slides on credit). The realloc
 * section below gives the rules for where a moved block starts, for huge last blocks and for the
 * allocator's own blocks standing in a block's way.
 *
 * Shrinking. When the free block at the heap top passes SHRINK_THRESHOLD (1 MiB), the heap
 * gives back all but SHRINK_KEEP (64 KiB) of it (a negative mem_sbrk). Each time it must grow
 * again after that, the threshold doubles (up to 64 MiB), as glibc's trim threshold rises: a
 * program that frees and regrows big blocks stops paying for memory it is about to ask for
 * again, while one that frees its memory for good still gives it back. (From 256 KiB, arrays
 * growing to 64 MiB made the heap shrink and regrow 9 times a replay, and the blocks regrown at
 * a low top had to move more often: 0.4x glibc's throughput there instead of 0.65x.)
 *
 * Big heaps. From DEFER_AT (64 MiB) of heap, far past any cache, frees wait in a short ring so
 * that the cache misses of consecutive frees overlap, and small blocks are held for the next
 * request of their size (see deferred frees).
 *
 * calloc clears only what may hold old bytes: memory past the heap's top has never been used,
 * and memlib gives it out zeroed, as the kernel gives a real break's new pages.
 *
 * mm_check walks the heap and every structure (lists, big classes and their bitmap, runs, run
 * map, the pending ring and held stacks); mm_check(1) names the first broken invariant and
 * where, mm_check(0) only answers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "memlib.h"
#include "mm.h"

/* ---- Configuration ------------------------------------------------------------------------ */

typedef uint32_t word_t;   /* header, footer and link words */

#define ROUND_UP(n, a) (((n) + (a) - 1) / (a) * (a))

#define HDR_SIZE 4u                 /* header bytes before each ordinary payload */
#define MIN_BLOCK 16u               /* header + two links + footer */
#define ALLOC 1u                    /* header bit: this block is allocated */
#define PREV_ALLOC 2u               /* header bit: the block to the left is allocated */
#define RUN 4u                      /* header bit: this allocated block is a run of slots */
#define FLAG_MASK 7u
#define NIL 0u                      /* null link (offset 0 is padding, never a block) */
#define FIRST_BLOCK_OFF (ALIGNMENT - HDR_SIZE)

#define LIST_STEP 16u               /* free-list classes: [16, 32), [32, 48), ... */
#define LIST_LIMIT 256u             /* free blocks from this size up live in the big classes */
#define LIST_CLASSES (LIST_LIMIT / LIST_STEP - 1u)
#define SCAN_LIMIT 4u               /* blocks examined in a list class (see low_best) */
#define BIG_CLASSES 64u             /* classes of big free blocks (one bit each in big_bits) */
#define BIG_FINE_LOG 14u            /* 8 classes per power of two below 2^14, 2 from there up */
#define BIG_SCAN 16u                /* blocks examined in a big class for the best fit */
#define HIGH_MAX (1u << BIG_FINE_LOG) /* big blocks that list-sized requests split from the high
                                       * end, and frees grow in place (see take_high) */
#define TABLE_AT (128u * 1024u)     /* heap size from which big classes get their head table */
#define TABLE_TOP_AT (1024u * 1024u) /* ... even at the heap top, when no free block fits it */
#define TABLE_NEVER DEFER_AT        /* table_at once the table exists: from there mm_malloc
                                     * first looks for a held block (see deferred frees) */
#define TABLE_HOLE BIG_CLASSES      /* table word after the class heads: a kept hole's size */
#define TABLE_SPARED (BIG_CLASSES + 1u) /* ... bytes taken from the top to keep it whole */
#define TABLE_CREDIT (BIG_CLASSES + 2u) /* bytes top_slide may still copy by choice */
#define TABLE_WORDS (BIG_CLASSES + 3u)
#define TABLE_NEED ROUND_UP(TABLE_WORDS * 4u + HDR_SIZE, ALIGNMENT) /* its block (> MIN_BLOCK) */

#define SMALL_MAX 128u              /* largest slot size kept in runs (see runs of small slots) */
#define NSMALL (SMALL_MAX / ALIGNMENT) /* slot classes: ALIGNMENT, 2 * ALIGNMENT, ... */
#define RUN_MAX_SLOTS 64u           /* one 64-bit free mask per run */
#define RUN_MIN_SLOTS 2u            /* a class's first run; each further run doubles */
#define RUN_MAX_LEVEL 5u            /* RUN_MIN_SLOTS << RUN_MAX_LEVEL == RUN_MAX_SLOTS */
#define RUN_ALIGN 64u               /* run payloads start on these boundaries (one map bit each) */
#define RUN_SLOT_BYTES (64u * RUN_ALIGN) /* slots lie within 64 map bits of their run's start */
#define RUN_HOT 16u                 /* meta before slot 0: span 2, nslots 1, slot 1, inverse 4,
                                     * free mask 8 */
#define RUN_LINKS 8u                /* list links after the last slot: next 4, prev 4 */
#define INV_SHIFT 32u               /* slot index = offset * inverse >> INV_SHIFT (see inverse) */
#define MAP_MIN_WORDS 2u
#define MAP_UNIT 16u                /* map lengths are multiples of 2 words (see dir_map_words) */
#define WORD_BITS 64u               /* bits in a run map word and in a run's free mask */
#define RUN_THRESHOLD 24u           /* a class's requests served with headers before runs start */
#define RUN_FILL_SLOT (4u * ALIGNMENT) /* from this slot size (a header costs at most a quarter
                                        * of it), a small hole fitting the request precedes a new
                                        * run (see place_run) */
#define THRASH_RUNS 8u              /* runs a class releases before its runs thrash */
#define THRASH_AT (RUN_THRESHOLD + THRASH_RUNS) /* class_seen of a class whose runs thrash
                                                 * (see run_emptied) */
#define RUN_SPARSE 16u              /* runs are sparse below 1 per this many map words */
#define CACHE_LINE 64u              /* bytes in a cache line (the globals start on one) */

/* Run directory (payload of an ordinary block): run list heads, growth levels, run-start map. */
#define DIR_HEADS 0u
#define DIR_LEVELS (NSMALL * 4u)
#define DIR_MAP ((DIR_LEVELS + NSMALL + 7u) & ~7u)

#define HASH_MUL 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio: Fibonacci hashing */
#define HASH_SHIFT 29u
#define SHRINK_THRESHOLD (1024u * 1024u) /* free top block size that makes the heap shrink */
#define SHRINK_KEEP (64u * 1024u)        /* ... down to this much free space at the top */
#define SHRINK_MAX_LEVEL 6u              /* threshold doublings: up to 64 MiB */
#define SPARE_DIV 16u /* a kept hole: requests up to 1/16 of it take the top, up to 1/16 in all */
#define SHRUNK 0x80u                    /* shrink_level bit: a shrink since the last growth */
#define SLIDE_MIN_DIV 16u  /* top_slide: a hole from 1/16 of the block (bounds the copying) */
#define SLIDE_MAX_DIV 2u   /* ... below 1/2 of it (a bigger hole may still serve its peers) */
#define SLIDE_HEAP_DIV 2u  /* ... for a block holding at least half of the heap */
#define SLIDE_MAX_BYTES (1024u * 1024u) /* ... of at most this size (copying costs time) */
#define SLIDE_CREDIT 8192u /* bytes each top_slide call adds to what slides by choice may copy */
#define SLIDE_FREE_DIV 16u /* ... except for a block of 1/16 of the heap, whose growth counts */
#define MAX_HEAP_BYTES 0xfffff000u      /* offsets are 32-bit */
#define DEFER_AT (64u * 1024u * 1024u) /* heap size from which frees wait */
#define DEFER_SLOTS 8u                 /* pending ring: a free waits DEFER_SLOTS - 1 frees */
#define DEFER_WARM 4u                  /* ... its right neighbour is asked for after this many */
#define HOLD_MAX ROUND_UP(1024u + HDR_SIZE, ALIGNMENT) /* largest block a free past DEFER_AT may
                                        * hold back: those of requests up to 1 KiB */
#define HOLD_DEPTH 15u                 /* ... at most this many per size (its count: 1 more word) */
#define HOLD_CLASSES ((HOLD_MAX - MIN_BLOCK) / ALIGNMENT + 1u) /* one per block size */
#define HOLD_WORDS (1u + HOLD_DEPTH)   /* a size's count and stack: 64 bytes, at most 2 lines */
/* pending block: the ring's position, its slots, then each block size's held stack */
#define DEFER_BYTES ((1u + DEFER_SLOTS + HOLD_CLASSES * HOLD_WORDS) * 4u)
#define YIELD_DIV 4u  /* realloc moves the allocator's own neighbour block of at most 1/4 of it */
#define STEP_DIV 2u   /* a realloc growing by at most 1/2 of the old size is a small step */
#define LEAD_DIV 3u   /* ... and its moved block starts 1/3 of the hole's spare room in */
#define MOVE_SPAN 8u  /* a moved block takes the lowest hole of at most 8 times its size */

_Static_assert(ALIGNMENT % 8 == 0 && ALIGNMENT <= 64, "block sizes must keep 3 flag bits free");
_Static_assert(MIN_BLOCK % ALIGNMENT == 0 || ALIGNMENT < MIN_BLOCK, "MIN_BLOCK vs ALIGNMENT");
_Static_assert(RUN_ALIGN % ALIGNMENT == 0, "run payloads must be aligned payloads");
_Static_assert(RUN_MIN_SLOTS << RUN_MAX_LEVEL == RUN_MAX_SLOTS, "run growth levels");
_Static_assert(SMALL_MAX <= RUN_SLOT_BYTES, "a run holds at least one slot");
_Static_assert(RUN_SLOT_BYTES == WORD_BITS * RUN_ALIGN &&
               RUN_HOT <= RUN_SLOT_BYTES / RUN_MAX_SLOTS &&
               RUN_HOT + (RUN_MAX_SLOTS - 1u) * (RUN_SLOT_BYTES / RUN_MAX_SLOTS) < RUN_SLOT_BYTES,
               "run_of's window reaches every slot, from the meta on");
_Static_assert(RUN_THRESHOLD < THRASH_AT && THRASH_AT <= UINT8_MAX, "class_seen's states");
_Static_assert(SMALL_MAX % ALIGNMENT == 0, "slot classes tile up to SMALL_MAX");
_Static_assert(LIST_LIMIT < HIGH_MAX, "take_high splits big blocks, grow_left grows them");
_Static_assert(HIGH_MAX < SHRINK_THRESHOLD,
               "grow_left makes no region that free_region would shrink the heap for");
_Static_assert(SMALL_MAX + ALIGNMENT < LIST_LIMIT, "a slot's ordinary block is list-sized");
_Static_assert(RUN_HOT % ALIGNMENT == 0, "slot 0 is an aligned payload");
_Static_assert((DEFER_SLOTS & (DEFER_SLOTS - 1u)) == 0 && DEFER_WARM < DEFER_SLOTS - 1u,
               "slot numbers wrap with unsigned ones; a neighbour is asked for before its free");
_Static_assert(TABLE_AT < TABLE_TOP_AT && TABLE_TOP_AT < TABLE_NEVER, "table_at's states differ");
_Static_assert(HOLD_MAX % ALIGNMENT == 0 && HOLD_WORDS * 4u == 64u,
               "held stacks: one per block size, 64 bytes each");
_Static_assert(SHRINK_KEEP % ALIGNMENT == 0 && SHRINK_KEEP >= LIST_LIMIT, "shrink sizes");
_Static_assert(LIST_LIMIT % LIST_STEP == 0 && LIST_CLASSES <= 32, "list classes fit a word");
_Static_assert(LIST_LIMIT == 256u, "big classes start at 2^8");
_Static_assert(MAP_MIN_WORDS * 8u % MAP_UNIT == 0 && ALIGNMENT <= MAP_UNIT &&
               MIN_BLOCK <= MAP_UNIT, "map length from the directory's size");

/* All the globals, at most 128 bytes (the lab's limit): one struct so no padding creeps in,
 * starting on a cache line so that they take two lines wherever the linker puts them (placed 32
 * bytes past a line boundary, after memlib's globals, they took three: classic traces 3-5%
 * slower). */
static struct __attribute__((aligned(CACHE_LINE))) {
    char *heap;                        /* mem_heap_lo() */
    uint64_t big_bits;                 /* bit c: big class c non-empty (once the table exists) */
    word_t big;                        /* table payload offset; before it, the one big list */
    word_t list_bits;                  /* bit c: list_heads[c] non-empty */
    word_t dir_off;                    /* run directory payload offset, NIL when none */
    word_t map_len;                    /* dir_map_words(), 0 when there is no directory */
    word_t heap_size;                  /* mem_heapsize(), kept here: hot paths need the top */
    word_t run_count;                  /* runs in the heap */
    word_t table_at;                   /* heap size from which make_table is due (see
                                        * table_due): TABLE_NEVER once the table exists */
    word_t defer_off;                  /* pending-free block payload offset, NIL until the
                                        * heap reaches DEFER_AT (see deferred frees) */
    word_t list_heads[LIST_CLASSES];   /* free blocks < LIST_LIMIT */
    uint8_t class_seen[NSMALL];        /* requests per slot class, up to RUN_THRESHOLD, then
                                        * runs released, up to THRASH_AT */
    uint8_t check_quiet;               /* mm_check(0), and its first, fast pass, keep quiet */
    uint8_t shrink_level;              /* threshold doublings, | SHRUNK */
    uint8_t runs_sparse;               /* runs_are_sparse(): run_of's quick exit is on */
    uint8_t any_thrash;                /* a class thrashes: kept runs may exist (flush_kept) */
} g;
_Static_assert(sizeof g <= 128, "globals over the lab's limit");

#define heap (g.heap)
#define big_bits (g.big_bits)
#define big (g.big)
#define has_table (table_at == TABLE_NEVER) /* big classes have their head table */
#define list_bits (g.list_bits)
#define dir_off (g.dir_off)
#define map_len (g.map_len)
#define heap_size (g.heap_size)
#define list_heads (g.list_heads)
#define class_seen (g.class_seen)
#define check_quiet (g.check_quiet)
#define shrink_level (g.shrink_level)
#define table_at (g.table_at)
#define run_count (g.run_count)
#define runs_sparse (g.runs_sparse)
#define any_thrash (g.any_thrash)
#define defer_off (g.defer_off)

/* ---- Words, blocks, offsets --------------------------------------------------------------- */

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
static inline char *epilogue(void) { return heap + heap_size - HDR_SIZE; }
static inline char *payload(char *b) { return b + HDR_SIZE; }
static inline char *block_of(void *p) { return (char *)p - HDR_SIZE; }

static inline void set_prev_alloc(char *b, int on)
{
    *wp(b) = on ? (hdr(b) | PREV_ALLOC) : (hdr(b) & ~PREV_ALLOC);
}

/* Free-block links live right after the header: next and prev in the block's list. */
static inline word_t *link_next(char *b) { return wp(b + 4); }
static inline word_t *link_prev(char *b) { return wp(b + 8); }

/* Block size an ordinary block needs for a request of n bytes. */
static inline size_t block_need(size_t n)
{
    size_t s = ROUND_UP(n + HDR_SIZE, ALIGNMENT);
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

static inline uint64_t mix(word_t o)
{
    uint64_t x = (uint64_t)o * HASH_MUL; /* spreads offsets, which share their low bits */
    return x ^ (x >> HASH_SHIFT);
}

/* ---- Free lists (small free blocks) --------------------------------------------------------- */

static inline unsigned list_class(size_t s) { return (unsigned)(s / LIST_STEP) - 1u; }

/* x when c, else y: told that c is a coin toss, the compiler selects without a branch. */
static inline word_t *pick(int c, word_t *x, word_t *y)
{
    return __builtin_expect_with_probability(c != 0, 1, 0.5) ? x : y;
}

/* Push b on the list whose head is *head, and unlink it. Whether a list is empty, or a block
 * its head, changes at random with the sizes requested and freed, so branches on it mispredict
 * often: the link stores go through a selected pointer instead (a scratch word when there is
 * no neighbour). */
static inline void push(word_t *head, char *b)
{
    word_t o = off(b), h = *head, scratch;
    *link_next(b) = h;
    *link_prev(b) = NIL;
    *pick(h != NIL, link_prev(at(h)), &scratch) = o;
    *head = o;
}

/* Unlink b given the word that links to it (its list's head or its predecessor's next link).
 * Returns whether the list is empty now. */
static inline int unlink_at(word_t *link, char *b)
{
    word_t n = *link_next(b), p = *link_prev(b), scratch;
    *link = n;
    *pick(n != NIL, link_prev(at(n)), &scratch) = p;
    return (p | n) == NIL;
}

/* Unlink b from the list whose head is *head. Returns whether the list is empty now. */
static inline int unlink_node(word_t *head, char *b)
{
    word_t p = *link_prev(b);
    return unlink_at(pick(p != NIL, link_next(at(p)), head), b);
}

/* The list and big-class operations take the block's size from their callers, which have
 * read it already: no second header read, and the small lists' operations inline. A removal
 * clears its class's bit by flipping it when the list empties: the bit was set (no mask). */
static inline void list_insert(char *b, size_t s)
{
    unsigned c = list_class(s);
    push(&list_heads[c], b);
    list_bits |= 1u << c;
}

static inline void list_remove(char *b, size_t s)
{
    unsigned c = list_class(s);
    list_bits ^= (word_t)unlink_node(&list_heads[c], b) << c;
}

/* What a search of the big classes tells of the block it found, so that taking the block needs
 * no class computation and no select on whether the block heads its list (see big_take). */
struct fit {
    size_t size;  /* the block's size */
    word_t *link; /* the word that links to it: its list's head or its predecessor's next link */
    unsigned c;   /* its big class (BIG_CLASSES: the one list kept before the table) */
};

/* Smallest block >= need among the first `limit` of the list whose head is *head; its size and
 * the word that links to it in *f. The comparisons select without branching (conditional
 * moves): sizes come in random order, so branches on them mispredict about every other block. */
static inline char *scan_fit(word_t *head, size_t need, size_t limit, struct fit *f)
{
    size_t spare = SIZE_MAX; /* the best block's size - need; SIZE_MAX: none seen yet */
    word_t *lk = head, *best = head;
    for (size_t k = limit; *lk != NIL && k; lk = link_next(at(*lk)), k--) {
        /* Too small, a block wraps round to more spare bytes than any that fits has (sizes are
         * below 2^32): one subtraction ranks both kinds, and an exact fit has 0. */
        size_t d = bsize(at(*lk)) - need;
        best = d < spare ? lk : best;
        spare = d < spare ? d : spare;
        if (d == 0)
            break;
    }
    f->size = need + spare;
    f->link = best;
    return spare <= MAX_HEAP_BYTES ? at(*best) : NULL;
}

/* ---- Big free blocks: segregated classes ------------------------------------------------- */

/* Class of a big free block (size >= LIST_LIMIT): 8 classes per power of two from 2^8 to
 * 2^BIG_FINE_LOG, then 2 per power; the last class takes every larger size. */
static inline unsigned big_class(size_t s)
{
    unsigned k = 63u ^ (unsigned)__builtin_clzll((unsigned long long)s); /* 63 - clz */
    if (__builtin_expect(k < BIG_FINE_LOG, 1)) /* (k - 8) * 8 + the 3 bits below the top */
        return k * 8u + (unsigned)(s >> (k - 3u)) - (8u * 8u + 8u); /* s >> (k-3): 8 + those */
    unsigned c = (BIG_FINE_LOG - 8u) * 8u + (k - BIG_FINE_LOG) * 2u +
                 (unsigned)((s >> (k - 1u)) & 1u);
    return c < BIG_CLASSES ? c : BIG_CLASSES - 1u;
}

static inline word_t *big_heads(void) { return wp(at(big)); }

/* The head of the list a big free block of size s belongs to. */
static inline word_t *class_head(size_t s) { return has_table ? big_heads() + big_class(s) : &big; }

/* Before the table exists: whether a free block may fit it (from TABLE_AT the table is then
 * due), or none does (it waits for TABLE_TOP_AT, where it may take the heap top). */
static inline void set_table_fits(int fits) { table_at = fits ? TABLE_AT : TABLE_TOP_AT; }

static void big_insert(char *b, size_t s)
{
    if (has_table) {
        unsigned c = big_class(s);
        push(big_heads() + c, b);
        big_bits |= 1ull << c;
    } else {
        push(&big, b);
        if (s >= TABLE_NEED)
            set_table_fits(1);
    }
}

static void big_remove(char *b, size_t s)
{
    if (has_table) {
        unsigned c = big_class(s);
        big_bits ^= (uint64_t)unlink_node(big_heads() + c, b) << c;
    } else {
        unlink_node(&big, b);
    }
}

/* Free block b is the last before the epilogue (no need to read the epilogue). */
static inline int is_top(char *b, size_t s) { return b + s == epilogue(); }

/* Big class c, need's own: the best fit among its first BIG_SCAN blocks (all of the last
 * class's) unless that is the top block, else NULL (see scan_fit for *f). */
static inline char *own_class_fit(size_t need, unsigned c, struct fit *f)
{
    f->c = c;
    if (!(big_bits >> c & 1u))
        return NULL;
    char *b = scan_fit(big_heads() + c, need, c == BIG_CLASSES - 1u ? SIZE_MAX : BIG_SCAN, f);
    return b && !is_top(b, f->size) ? b : NULL;
}

/* The big class a request of need bytes starts its search in. */
static inline unsigned need_class(size_t need)
{
    return big_class(need < LIST_LIMIT ? LIST_LIMIT : need);
}

/* The non-empty big classes above class c. */
static inline uint64_t classes_above(unsigned c)
{
    return c + 1u < BIG_CLASSES ? big_bits & (~0ull << (c + 1u)) : 0;
}

/* scan_fit in a non-empty class above need's, whose every block fits and none exactly: the
 * smallest of its first BIG_SCAN blocks, with no fit test. A free block's header is its size |
 * PREV_ALLOC (see low_best), so headers order as sizes do. */
static inline char *scan_min(word_t *head, struct fit *f)
{
    word_t low = UINT32_MAX, *lk = head, *best = head;
    for (size_t k = BIG_SCAN; *lk != NIL && k; lk = link_next(at(*lk)), k--) {
        word_t h = hdr(at(*lk));
        best = h < low ? lk : best;
        low = h < low ? h : low;
    }
    f->size = low & ~FLAG_MASK;
    f->link = best;
    return at(*best);
}

/* big_fit past need's own class c: the best of the first BIG_SCAN blocks of the next non-empty
 * class (all of which fit) that is not the top block. */
static inline char *above_fit(unsigned c, struct fit *f)
{
    /* The free block at the heap top comes last (the caller's top path): kept after a skipped
     * shrink, it must not take requests that fit elsewhere, or the heap grows past it later. */
    for (uint64_t higher = classes_above(c); higher; higher &= higher - 1u) {
        f->c = (unsigned)__builtin_ctzll(higher);
        char *b = scan_min(big_heads() + f->c, f);
        if (!is_top(b, f->size))
            return b;
    }
    return NULL;
}

/* A big free block of at least need bytes (*f: see struct fit): the best of the first BIG_SCAN
 * in need's own class, else the best of the first BIG_SCAN in the next non-empty class (all of
 * which fit). Before the table exists (heap below TABLE_AT), the exact best fit of the one big
 * list. Past the own class, the lowest-addressed block of at most MOVE_SPAN times need (what a
 * block that realloc moves takes) kept neighbours freed and refilled together side by side
 * (held-out coalescing-large +0.055 util/bound, a recorded cc1 +0.07), but put small blocks right
 * above growing arrays (the suite's realloc-large 0.997 to 0.637, held-out realloc-vector -0.059,
 * a recorded tar 0.90 to 0.76): 512 held-out traces -0.001, the suite -0.028, 40 recordings
 * -0.004. Of at most twice need, held-out +0.002 but the suite -0.011 (realloc-large as before)
 * and the classic traces -0.08 points at ALIGNMENT 16 (random2-bal -0.8); for requests from
 * 4 KiB only, held-out +0.002, the suite and recordings within 0.003, the classic traces -0.08. */
static char *big_fit(size_t need, struct fit *f)
{
    if (!has_table) {
        f->c = BIG_CLASSES;
        return scan_fit(&big, need, SIZE_MAX, f);
    }
    unsigned c = need_class(need);
    char *b = own_class_fit(need, c, f);
    return b ? b : above_fit(c, f);
}

/* big_remove of block b, which big_fit found (*f). */
static inline void big_take(char *b, const struct fit *f)
{
    int empty = unlink_at(f->link, b);
    if (has_table)
        big_bits ^= (uint64_t)empty << f->c;
}

/* The lowest-addressed block of need to span bytes, not the top one, among the first `limit` of
 * the list at o and low (NULL or such a block). */
static char *low_scan(word_t o, size_t need, size_t span, size_t limit, char *low)
{
    for (size_t k = 0; o != NIL && k < limit; o = *link_next(at(o)), k++) {
        char *b = at(o);
        size_t s = bsize(b);
        if (s >= need && s <= span && (!low || b < low) && !is_top(b, s))
            low = b;
    }
    return low;
}

/* big_fit for a block that realloc moves: the best fit in need's own class, else the lowest-
 * addressed block of at most MOVE_SPAN times need among the first BIG_SCAN of each larger class
 * (before the table, of the one list), else the best fit; never the top block. */
static char *big_low_fit(size_t need, size_t *size)
{
    size_t span = need * MOVE_SPAN;
    char *b = NULL;
    struct fit f;
    if (!has_table) {
        b = low_scan(big, need, span, SIZE_MAX, NULL);
    } else if ((b = own_class_fit(need, need_class(need), &f))) {
        *size = f.size;
        return b;
    } else {
        unsigned last = big_class(span);
        for (uint64_t higher = classes_above(f.c); higher; higher &= higher - 1u) {
            unsigned c = (unsigned)__builtin_ctzll(higher);
            if (c > last)
                break;
            b = low_scan(big_heads()[c], need, span, BIG_SCAN, b);
        }
    }
    if (b) {
        *size = bsize(b);
        return b;
    }
    b = has_table ? above_fit(f.c, &f) : big_fit(need, &f); /* need's own class has none */
    *size = f.size;
    return b && !is_top(b, f.size) ? b : NULL;
}

/* ---- Free blocks: either structure --------------------------------------------------------- */

/* Free block b of s bytes joins / leaves its list or big class. */
static inline void free_insert(char *b, size_t s)
{
    if (s < LIST_LIMIT)
        list_insert(b, s);
    else
        big_insert(b, s);
}

static inline void free_remove(char *b, size_t s)
{
    if (s < LIST_LIMIT)
        list_remove(b, s);
    else
        big_remove(b, s);
}

/* A free block's header (with prev_flag) and footer at b, of size bytes. */
static inline void free_tags(char *b, size_t size, word_t prev_flag)
{
    set_hdr(b, size, prev_flag);
    *wp(b + size - 4) = (word_t)size;
}

/* Make [b, b+size) a free block: header (with prev_flag), footer, structure; the right
 * neighbour is the caller's. */
static inline void put_free(char *b, size_t size, word_t prev_flag)
{
    free_tags(b, size, prev_flag);
    free_insert(b, size);
}

/* put_free, and tell the right neighbour. */
static void make_free(char *b, size_t size, word_t prev_flag)
{
    put_free(b, size, prev_flag);
    set_prev_alloc(b + size, 0);
}

/* The smallest block >= need among the first SCAN_LIMIT of the list whose head is *head, the
 * lowest-addressed of equal ones, or NULL; its size in *size, and in *link the word that links
 * to it (see list_take). Reusing low blocks first leaves the higher ones free longer, to merge
 * with their neighbours as those are freed (coalescing traces +0.02 to +0.07 util/bound; more
 * candidates cost a cache miss each and won no more). One key orders both: size above, offset
 * below; a block too small gets the largest key. A free block's header is its size |
 * PREV_ALLOC, sizes are multiples of 8: the header orders and compares as the size does. */
static inline char *low_best(word_t *head, size_t need, size_t *size, word_t **link)
{
    word_t o = *head, *lk = head, *prev = head;
    uint64_t best = UINT64_MAX;
    for (unsigned k = 0; o != NIL && k < SCAN_LIMIT; prev = link_next(at(o)), o = *prev, k++) {
        uint64_t h = hdr(at(o));
        uint64_t key = (h << 32 | o) | -(uint64_t)(h < need);
        lk = key < best ? prev : lk;
        best = key < best ? key : best;
    }
    if (best == UINT64_MAX)
        return NULL;
    *size = (size_t)(best >> 32) & ~FLAG_MASK;
    *link = lk;
    return at((word_t)best);
}

#define PRAGMA(x) _Pragma(#x)
#define UNROLL(n) PRAGMA(GCC unroll n)

/* low_best for a non-empty list whose blocks all have need bytes (ALIGNMENT a multiple of
 * LIST_STEP): the lowest of its first SCAN_LIMIT offsets, and in *link the word that links to
 * it. The count is fixed and the loop unrolled, so no branch waits on the list's length (1 to
 * SCAN_LIMIT at random): past the list's end a link read hits the padding words at offsets 0
 * and 4, both NIL (see mm_check), so NIL repeats, and NIL - 1 is the largest key. */
static inline char *low_first(word_t *head, word_t **link)
{
    _Static_assert(ALIGNMENT % LIST_STEP != 0 || FIRST_BLOCK_OFF >= 8, "two padding words");
    word_t o = *head, low = o - 1u, *lk = head;
    char *links = (char *)link_next(heap); /* link_next(at(o)) is links + o: one sum per link */
    __asm__("" : "+r"(lk)); /* in a register now: else the compiler branches to make it */
    UNROLL(SCAN_LIMIT)
    for (unsigned k = 1; k < SCAN_LIMIT; k++) {
        word_t *next = wp(links + o);
        o = *next;
        lk = o - 1u < low ? next : lk;
        low = o - 1u < low ? o - 1u : low;
    }
    *link = lk;
    return at(low + 1u);
}

/* For need < LIST_LIMIT: the first block of the lowest non-empty list class above need's, or
 * NULL; its size in *size and the word that links to it in *link. */
static inline char *list_above(size_t need, size_t *size, word_t **link)
{
    unsigned c = list_class(need);
    word_t higher = c + 1u < LIST_CLASSES ? list_bits & (~0u << (c + 1u)) : 0;
    if (!higher)
        return NULL;
    *link = &list_heads[__builtin_ctz(higher)];
    char *b = at(**link);
    *size = bsize(b);
    return b;
}

/* For need < LIST_LIMIT: the nearly best block of a free list, or NULL; its size in *size and
 * the word that links to it in *link. */
static inline char *list_fit(size_t need, size_t *size, word_t **link)
{
    unsigned c = list_class(need);
    if (list_bits >> c & 1u) {
        if (ALIGNMENT % LIST_STEP == 0) {
            *size = need;
            return low_first(&list_heads[c], link);
        }
        char *b = low_best(&list_heads[c], need, size, link);
        if (b)
            return b;
    }
    return list_above(need, size, link);
}

/* list_remove of block b of s bytes, given the word that links to it: no select on whether b
 * is the head, which list_fit's choice among the first blocks makes random (a branch there
 * mispredicted nearly every other time). */
static inline void list_take(char *b, size_t s, word_t *link)
{
    list_bits ^= (word_t)unlink_at(link, b) << list_class(s);
}

/* Best (or, in a list class, nearly best) free block of at least need bytes; its size in
 * *size. */
static inline char *find_fit(size_t need, size_t *size)
{
    word_t *link;
    char *b = need < LIST_LIMIT ? list_fit(need, size, &link) : NULL;
    if (b)
        return b;
    struct fit f;
    b = big_fit(need, &f);
    *size = f.size;
    return b;
}

/* find_fit for a block that realloc moves: a big block from a larger class is the lowest-
 * addressed (see mm_realloc). */
static char *move_fit(size_t need, size_t *size)
{
    word_t *link;
    char *b = need < LIST_LIMIT ? list_fit(need, size, &link) : NULL;
    return b ? b : big_low_fit(need, size);
}

/* ---- Carving blocks -------------------------------------------------------------------------- */

/* A new block takes the low end of the free block chosen for it (a moved one: see realloc).
 * Taking the high end lost on average, for requests past a size limit (from 512 bytes to 4 KiB;
 * 384 held-out traces: util/bound -0.004 to -0.007) and for small requests carved from the free
 * top block (-0.005 to -0.008). So did serving a request from the free block the last free
 * formed, ahead of the best fit (-0.01 to -0.05), although blocks freed and refilled together
 * then stay side by side.
 * A block of 64 KiB or more that grows the heap ends at its top, so small requests that later find
 * no hole go above it, and it can neither grow in place nor leave its place to a larger successor.
 * Leaving free room below it, 1/16 of its size but no more than small requests had grown the heap
 * by since the last such room, lifted 32 held-out tiny-huge traces by 0.035 util/bound and 32
 * tiny-many ones by 0.021, but cost calloc-tables and realloc-shrink 0.016 and 0.025: 512
 * held-out traces +0.001, the suite -0.011 (its calloc-tables 0.98 to 0.80), 40 recordings -0.001.
 * For blocks that realloc moves only: a recorded cc1 0.78 to 0.87, but the suite -0.002, held-out
 * tiny-huge -0.010. */

/* Grow the heap by n bytes (a multiple of ALIGNMENT) and write a new epilogue. */
static inline int extend_heap(size_t n)
{
    if (heap_size + n > MAX_HEAP_BYTES || mem_sbrk((intptr_t)n) == (void *)-1)
        return 0;
    heap_size += (word_t)n;
    if (shrink_level & SHRUNK) { /* memory given back was wanted again: give back less */
        unsigned level = shrink_level & ~SHRUNK;
        shrink_level = (uint8_t)(level < SHRINK_MAX_LEVEL ? level + 1u : level);
    }
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

/* Make the top region span at least want bytes from f; f leaves its structure. */
static int grow_top(char *f, size_t fs, size_t want)
{
    if (want > fs && !extend_heap(want - fs))
        return 0;
    if (fs)
        free_remove(f, fs);
    return 1;
}

/* carve(f, fs, f, need, 0) for a region f, pa its PREV_ALLOC bit, whose right neighbour has
 * PREV_ALLOC clear (a free block, the top region, or the epilogue extend_heap just wrote): a
 * split tail then needs no word of that neighbour. */
static inline char *take_flags(char *f, size_t fs, size_t need, word_t pa)
{
    size_t tail = fs - need;
    if (tail < MIN_BLOCK) {
        set_hdr(f, fs, ALLOC | pa);
        set_prev_alloc(f + fs, 1);
    } else {
        set_hdr(f, need, ALLOC | pa);
        put_free(f + need, tail, PREV_ALLOC);
    }
    return f;
}

/* take_flags for a region whose left neighbour is allocated (a free block, or the top one). */
static inline char *take(char *f, size_t fs, size_t need)
{
    return take_flags(f, fs, need, PREV_ALLOC);
}

/* A block of need bytes from the heap top (the free block there, grown as needed), or NULL. */
static char *top_alloc(size_t need)
{
    size_t fs;
    char *f = top_region(&fs);
    if (!grow_top(f, fs, need))
        return NULL;
    return take(f, need > fs ? need : fs, need);
}

/* Whether a block of need bytes from the heap top would grow the heap. */
static int top_short(size_t need)
{
    size_t fs;
    top_region(&fs);
    return need > fs;
}

/* ---- Kept holes ------------------------------------------------------------------------------ */

/* A hole of SHRINK_THRESHOLD bytes or more that a free leaves inside the heap is often the place
 * of a buffer that comes back at its size (a sort's buffer, a file read whole). A request of at
 * most 1/SPARE_DIV of the last such hole takes the heap top rather than split it, as long as
 * those requests have taken less than 1/SPARE_DIV of it in all since a block of about its size
 * last took a hole of its size. sqlite3 sorting twice: an 87 KB request split the 2 MB hole the
 * first sort left, so the second sort's 2 MB buffer went to the top (util 0.72; 0.99 with the
 * hole kept). Requests below LIST_LIMIT split the hole as before: sent to the top as well, they
 * cost held-out tiny-huge traces up to 0.05 util/bound. So do blocks that realloc moves: sent to
 * the top, the growing sort buffer itself left the hole, and that sqlite3 run fell back to 0.71
 * (realloc-large: 0.998 to 0.64). The record lives in the big-class table (see TABLE_HOLE). */

/* Free block b of s bytes (at least SHRINK_THRESHOLD) has formed: the hole to keep. */
static inline void note_hole(char *b, size_t s)
{
    if (has_table && !is_top(b, s))
        big_heads()[TABLE_HOLE] = (word_t)s;
}

/* Whether a request of need bytes takes the heap top rather than split the kept hole, the free
 * block of s bytes the big classes chose for it (the table exists). */
static inline int keeps_hole(size_t need, size_t s)
{
    word_t *t = big_heads();
    return s == t[TABLE_HOLE] && need >= LIST_LIMIT && t[TABLE_SPARED] + need <= s / SPARE_DIV;
}

/* A block of need bytes from big free block b, which big_fit found (*f). When b has the kept
 * hole's size and the request is at least half of it, keeping it paid off, and the top may
 * serve others again. */
static inline char *big_claim(char *b, const struct fit *f, size_t need)
{
    if (has_table && f->size == big_heads()[TABLE_HOLE] && need >= f->size / 2u)
        big_heads()[TABLE_SPARED] = 0;
    big_take(b, f);
    return take(b, f->size, need);
}

/* A block of need < LIST_LIMIT bytes cut from the high end of big free block b (*f), or NULL when
 * the rest of b would change class or b is from HIGH_MAX up. The rest keeps b's header, place
 * and class links: no unlink, no push; and the block's free grows b back in place (grow_left).
 * A recorded readelf run, which takes and frees small blocks one at a time from one big hole,
 * ran 1.25x as fast. Holes from HIGH_MAX up split at the low end still: with no limit, the
 * suite's tiny-huge, whose tiny blocks split holes that huge blocks left, fell from 0.60
 * util/bound to 0.56. */
static inline char *take_high(char *b, const struct fit *f, size_t need)
{
    size_t rest = f->size - need;
    if (!has_table || f->size >= HIGH_MAX || rest < LIST_LIMIT || big_class(rest) != f->c)
        return NULL;
    free_tags(b, rest, PREV_ALLOC);
    char *p = b + rest;
    set_hdr(p, need, ALLOC);
    set_prev_alloc(p + need, 1);
    return p;
}

static int flush_ring(void);
static int flush_kept(void);
static int flush_held(void);
static int flush_pending(void);
static void *malloc_need(size_t need);

/* big_malloc past need's own class c: a block from a larger class, before the table from the
 * one big list, else from the heap top (noinline: its registers stay off the common path). */
static __attribute__((noinline)) void *big_malloc_above(size_t need, unsigned c)
{
    struct fit f;
    char *b = has_table ? above_fit(c, &f) : big_fit(need, &f);
    int keep = b && has_table && keeps_hole(need, f.size);
    if (keep)
        b = NULL;
    if (!b) {
        /* Pending frees come before the top block, held blocks before the heap grows for a
         * request larger than any of them (see deferred frees), kept runs before it grows at
         * all (see run_emptied). top_short's reads only when one of those may be flushed. */
        if (flush_ring())
            return malloc_need(need);
        if ((any_thrash || need > HOLD_MAX) && top_short(need) &&
            ((any_thrash && flush_kept()) || (need > HOLD_MAX && flush_held())))
            return malloc_need(need);
        b = top_alloc(need);
        if (b && keep)
            big_heads()[TABLE_SPARED] += (word_t)need;
    } else {
        char *high = need < LIST_LIMIT ? take_high(b, &f, need) : NULL;
        b = high ? high : big_claim(b, &f, need);
    }
    return b ? payload(b) : NULL;
}

/* big_malloc when need's own class c is non-empty (noinline: its registers stay off the path of
 * requests whose class is empty, about half of them on random traces). */
static __attribute__((noinline)) void *own_class_malloc(size_t need, unsigned c)
{
    struct fit f;
    char *b = own_class_fit(need, c, &f);
    if (!b)
        return big_malloc_above(need, c);
    return payload(big_claim(b, &f, need));
}

/* The payload of a new ordinary block of need bytes from a big free block or the heap top (no
 * list holds one that fits), or NULL. The common case, a block of need's own class, stays
 * apart from the larger classes' scan and its registers. */
static __attribute__((noinline)) void *big_malloc(size_t need)
{
    unsigned c = need_class(need);
    if (has_table && (big_bits >> c & 1u))
        return own_class_malloc(need, c);
    return big_malloc_above(need, c);
}

/* A block of need bytes from the free block find_fit would choose, else from the heap top; the
 * chosen block leaves its list through the word that links to it. */
static char *alloc_block(size_t need)
{
    size_t fs;
    word_t *link;
    char *b = need < LIST_LIMIT ? list_fit(need, &fs, &link) : NULL;
    if (!b) {
        void *p = big_malloc(need);
        return p ? block_of(p) : NULL;
    }
    list_take(b, fs, link);
    return take(b, fs, need);
}

/* alloc_block for a block that realloc moves (see move_fit). With lead, it starts 1/LEAD_DIV of
 * the hole's spare bytes in, when that leaves a valid free block below (see mm_realloc). */
static char *alloc_moved(size_t need, int lead)
{
    size_t fs;
    char *f = move_fit(need, &fs);
    if (!f)
        return top_alloc(need);
    free_remove(f, fs);
    size_t gap = lead ? (fs - need) / LEAD_DIV / ALIGNMENT * ALIGNMENT : 0;
    return gap >= MIN_BLOCK ? carve(f, fs, f + gap, need, 0) : take(f, fs, need);
}

/* A free block b of s bytes, at least SHRINK_THRESHOLD (the lowest threshold; the caller has
 * checked), has formed: at the heap top, release the top when it is large; elsewhere, free the
 * kept runs, one of which may stand between b and the top, where the heap could not shrink. */
static __attribute__((noinline)) void maybe_shrink(char *b, size_t s)
{
    if (!is_top(b, s)) {
        flush_kept();
        return;
    }
    if (s < ((size_t)SHRINK_THRESHOLD << (shrink_level & ~SHRUNK)))
        return;
    free_remove(b, s);
    if (mem_sbrk(-(intptr_t)(s - SHRINK_KEEP)) == (void *)-1) {
        free_insert(b, s);
        return;
    }
    heap_size -= (word_t)(s - SHRINK_KEEP);
    shrink_level |= SHRUNK;
    set_hdr(epilogue(), 0, ALLOC);
    make_free(b, SHRINK_KEEP, prev_alloc(b));
    if (heap_size < DEFER_AT) /* mm_free no longer defers: no free may wait */
        flush_pending();
}

/* The word holding the payload offset of allocated block m when m is a block of the
 * allocator's own (run directory or big-class table), else NULL. */
static inline word_t *own_word(char *m)
{
    word_t o = off(payload(m));
    if (o == dir_off)
        return &dir_off;
    return o == big ? &big : NULL; /* before the table, big names a free block */
}

/* Free block b of s bytes, whose left neighbour is a free block and right one an allocated one,
 * by growing that neighbour in place, if it is a big block below HIGH_MAX that stays in its
 * class (as one take_high split does): no unlink, no push. 0, and nothing done, otherwise. */
static inline int grow_left(char *b, size_t s)
{
    size_t ps = *wp(b - 4), ms = ps + s; /* a free block's footer: its size */
    if (!has_table || ps < LIST_LIMIT || ms >= HIGH_MAX || big_class(ms) != big_class(ps) ||
        own_word(b + s))
        return 0;
    set_prev_alloc(b + s, 0);
    set_hdr(b - ps, ms, PREV_ALLOC);
    *wp(b + s - 4) = (word_t)ms; /* its footer, at b's end (free_tags: 3 instructions more) */
    return 1;
}

/* free_merge's end for a region [b, b+s) of SHRINK_THRESHOLD bytes or more, or one before a
 * block of the allocator's own (its neighbours are allocated, it is in no structure): it becomes
 * a free block, and may shrink the heap. An own block that stood between it and a free block
 * (or the heap top) moves down to its low end first, so that the two merge: a 272-byte table
 * left at the top of a heap of one huge block kept the next huge request from the hole below,
 * and the heap grew past both. */
static __attribute__((noinline)) void free_region(char *b, size_t s)
{
    char *m = b + s, *r;
    word_t *o = own_word(m);
    if (o && ((r = next_block(m)) == epilogue() || !is_alloc(r))) {
        size_t ms = bsize(m), rs = bsize(r);
        if (rs)
            free_remove(r, rs);
        else
            set_prev_alloc(r, 0);
        memmove(payload(b), payload(m), ms - HDR_SIZE);
        set_hdr(b, ms, ALLOC | PREV_ALLOC);
        *o = off(payload(b));
        b += ms;
        s += rs;
    }
    put_free(b, s, PREV_ALLOC); /* its left neighbour is allocated: it would have merged */
    if (s >= SHRINK_THRESHOLD) {
        note_hole(b, s);
        maybe_shrink(b, s);
    }
}

/* free_block when a neighbour is free or the block is large: coalesce, and maybe shrink the
 * heap. A free right neighbour's own right neighbour already has PREV_ALLOC clear; a free left
 * neighbour's left neighbour is allocated. */
static __attribute__((noinline)) void free_merge(char *b, word_t h, char *n, word_t nh)
{
    size_t s = h & ~FLAG_MASK;
    if ((nh & ALLOC) && !(h & PREV_ALLOC) && grow_left(b, s))
        return;
    if (nh & ALLOC) {
        *wp(n) = nh & ~PREV_ALLOC;
    } else {
        free_remove(n, nh & ~FLAG_MASK);
        s += nh & ~FLAG_MASK;
    }
    if (!(h & PREV_ALLOC)) {
        size_t ps = *wp(b - 4); /* a free block's footer: its size */
        b -= ps;
        free_remove(b, ps);
        s += ps;
    }
    if (s >= SHRINK_THRESHOLD || own_word(b + s)) {
        free_region(b, s);
        return;
    }
    put_free(b, s, PREV_ALLOC); /* its left neighbour is allocated: it would have merged */
}

/* Free ordinary block b, coalescing at once. The common case, both neighbours allocated and b
 * below SHRINK_THRESHOLD (a larger block may lower the heap), makes no call but the big-class
 * insert's tail call, so it saves no registers. */
static void free_block(char *b)
{
    word_t h = hdr(b);
    size_t s = h & ~FLAG_MASK;
    char *n = b + s;
    word_t nh = hdr(n);
    if (!(nh & ALLOC) || !(h & PREV_ALLOC) || s >= SHRINK_THRESHOLD) {
        free_merge(b, h, n, nh);
        return;
    }
    *wp(n) = nh & ~PREV_ALLOC;
    put_free(b, s, PREV_ALLOC);
}

/* ---- Runs of small slots --------------------------------------------------------------------- */

/* Runs stop at SMALL_MAX, 128 bytes, at either alignment. A run lives as long as any of its slots,
 * so the classes of a finished phase leave runs that hold a few survivors each and pin up to
 * RUN_SLOT_BYTES apiece, while the header a slot saves shrinks as a share of its size (one
 * ALIGNMENT unit: 11% of a 144-byte block, 5% of a 304-byte one). Over generated traces, runs of
 * larger slots lost up to 12 points on phased and long-lived random traces and won less on binary
 * ones. A new run never grows the heap while a hole could hold the request as an ordinary block
 * (place_run): new runs would pile up at the heap top while the holes an earlier phase left between
 * runs, each too small for a run, stayed empty (up to 14 points lost on phased and long-lived
 * random traces). Nor does a new run of slots from RUN_FILL_SLOT up split a hole while a free block
 * of the lists could hold the request: filling that hole costs the request a header, a quarter of
 * the slot at most, where the run's empty slots pin more (512 held-out traces: util/bound +0.002,
 * the suite +0.004; from every slot size, +0.004 and -0.002, with the 16- and 32-byte slots of
 * tiny-object traces as headed blocks: -0.05 to -0.09). Sizes whose header fits in the alignment
 * padding stay ordinary blocks: in runs as well, they won 0.07 util/bound on binary traces with
 * jittered sizes and lost 0.13 on phased ones (averages over 48 held-out traces of each), 0.004 to
 * 0.008 on recorded programs and 0.08 points on the classic traces, though those programs then ran
 * 1.27x as fast (a slot's take and free skip the splits and merges). Sent to a run only after their
 * class's 64th or 255th request, they lost 0.005 and 0.008 on 512 held-out traces; only to slots
 * already free, 0.002 (the suite 0.008) for 1.06x the speed. Runs grow to RUN_MAX_SLOTS: capped at
 * 16 slots, they pinned less behind the survivors of phased and tiny-object traces (384 held-out
 * traces: +0.004) but their metas cost the classic traces 0.3 points of utilization.
 *
 * free's lookup (run_near, run_in_span): the nearest marked bit at or below p among the 64 map
 * windows ending at p's (the two map words around it shifted into one, one count-leading-zeros, no
 * branch) names the only run that could hold p; p is one of its slots when it lies within the span
 * of the run's slots, which the run's meta says (an ordinary block lies wholly past it). While
 * runs are sparse (fewer than one per RUN_SPARSE map words, as in a big heap), a free whose two
 * map words are both empty stops there: at scale every free misses the caches, and the fewer
 * instructions between one call's misses and the next's, the more of them overlap (1M live blocks:
 * about 5% less time). The directory is doubled when runs appear beyond its map; like the
 * big-class table, it also moves when a block growing next to it needs its place (see meta_yield).
 * The map's length follows from the directory block's size; the globals keep a copy, 0 while there
 * is no directory, so the lookup makes one bounds test and reads no header.
 */

/* A run's meta comes first in its payload, where a free and a request reach it from the run's
 * position alone, without reading its header for the block's end (churn of 32-byte slots: 9.95
 * ns per op, 10.6 with the meta at the block's end); the links, touched only when a run fills
 * or regains room, take the bytes after the last slot that alignment leaves. */
struct run_meta {        /* at the start of a run's payload, before slot 0 */
    uint16_t span;      /* nslots * slot: first, where a heap's padding reads as 0 (run_of) */
    uint8_t nslots;
    uint8_t slot;
    word_t inv;         /* inverse(slot): slot index by a multiply, not a divide */
    uint64_t free_mask; /* bit i set: slot i free */
};
struct run_links {      /* right after a run's last slot */
    word_t next, prev;  /* runs of the class with free slots */
};
_Static_assert(sizeof(struct run_meta) == RUN_HOT && sizeof(struct run_links) == RUN_LINKS,
               "run meta layout");
_Static_assert(RUN_SLOT_BYTES < 1u << 16 && SMALL_MAX < 1u << 8 && RUN_MAX_SLOTS < 1u << 8,
               "run meta field widths");
_Static_assert(sizeof(uint16_t) <= FIRST_BLOCK_OFF, "the padding holds a span of 0 (run_of)");
_Static_assert(RUN_SLOT_BYTES < 1u << 16 && SMALL_MAX < 1u << 16, "inverse needs 16-bit operands");

/* ceil(2^32 / slot): for offsets and slots below 2^16, offset * inverse >> 32 is offset / slot
 * exactly (the rounding error stays below 1 / slot). */
static inline word_t inverse(size_t slot)
{
    return (word_t)(((1ull << INV_SHIFT) + slot - 1u) / slot);
}

static inline unsigned run_class(const struct run_meta *m)
{
    return m->slot / ALIGNMENT - 1u;
}

static inline struct run_meta *meta(char *run) { return (void *)payload(run); }
static inline char *slots(char *run) { return payload(run) + RUN_HOT; }
static inline struct run_links *links(struct run_meta *m)
{
    return (void *)((char *)m + RUN_HOT + m->span);
}
/* The free mask of a run of n slots, all free (a run holds 1 to RUN_MAX_SLOTS: one shift). */
static inline uint64_t full_mask(unsigned n) { return ~0ull >> (WORD_BITS - n); }
static inline word_t *run_heads(void) { return wp(at(dir_off) + DIR_HEADS); }
static inline uint8_t *run_levels(void) { return (uint8_t *)at(dir_off) + DIR_LEVELS; }
static inline uint64_t *run_map(void) { return (uint64_t *)(void *)(at(dir_off) + DIR_MAP); }
/* The map's length in 64-bit words, from the directory's block size: the map spans a multiple
 * of MAP_UNIT bytes (see dir_reserve), and a block's payload exceeds its request by less than
 * MAP_UNIT (below ALIGNMENT of rounding, plus at ALIGNMENT 8 a tail below MIN_BLOCK left in
 * the block). */
static inline word_t dir_map_words(void)
{
    return (word_t)((bsize(block_of(at(dir_off))) - HDR_SIZE - DIR_MAP) / MAP_UNIT * MAP_UNIT /
                    8u);
}

/* Requests that go to runs: those whose header would not fit in the alignment padding, up to
 * SMALL_MAX. Both tests land in one sign bit (sizes are far below 2^63), so the caller makes
 * one branch, on the outcome (the compiler turns && or & into two). */
static inline int small_size(size_t n)
{
    size_t slot = ROUND_UP(n, ALIGNMENT);
    return (int)(((slot - block_need(n)) & ~(SMALL_MAX - slot)) >> (sizeof(size_t) * 8u - 1u));
}

/* Run r (meta m, class c: the callers have both) joins / leaves its class's list. A run that
 * flips between full and not full pushes and unlinks on every slot operation, so neither
 * re-reads the run's header or its slot size. */
static inline void run_push(char *r, struct run_meta *m, unsigned c)
{
    word_t h = run_heads()[c];
    struct run_links *l = links(m);
    l->next = h;
    l->prev = NIL;
    if (h != NIL)
        links(meta(at(h)))->prev = off(r);
    run_heads()[c] = off(r);
}

static inline void run_unlink(struct run_meta *m, unsigned c)
{
    struct run_links *l = links(m);
    if (l->prev != NIL)
        links(meta(at(l->prev)))->next = l->next;
    else
        run_heads()[c] = l->next;
    if (l->next != NIL)
        links(meta(at(l->next)))->prev = l->prev;
}

/* run_unlink of the run that heads class c's list (meta m): no predecessor to relink. */
static inline void run_pop(struct run_meta *m, unsigned c)
{
    word_t next = links(m)->next;
    run_heads()[c] = next;
    if (next != NIL)
        links(meta(at(next)))->prev = NIL;
}

/* Whether runs are sparse: fewer than one per RUN_SPARSE map words (RUN_SPARSE * 4 KiB of heap),
 * so that most frees of ordinary blocks find no run start near them (see run_of). */
static inline int runs_are_sparse(void) { return (size_t)run_count * RUN_SPARSE <= map_len; }

/* Mark or unmark run's start in the map, the caller having counted it in or out. */
static inline void map_flip(char *run)
{
    size_t w = (size_t)(payload(run) - heap) / RUN_ALIGN;
    run_map()[w / WORD_BITS] ^= 1ull << (w % WORD_BITS);
    runs_sparse = (uint8_t)runs_are_sparse();
}

/* The run directory moves to block b, whose first `bytes` bytes of payload are cleared: a map
 * longer than the old one marks no run past it. The old block, if any, is the caller's. */
static void dir_move(char *b, size_t bytes)
{
    memset(payload(b), 0, bytes);
    if (dir_off != NIL)
        memcpy(payload(b), at(dir_off), DIR_MAP + map_len * 8u);
    dir_off = off(payload(b));
    map_len = dir_map_words();
    runs_sparse = (uint8_t)runs_are_sparse();
}

/* Make sure the run directory exists and its map covers heap offset `cover`. */
static int dir_reserve(size_t cover)
{
    for (;;) {
        size_t windows = cover / RUN_ALIGN + 1u;
        size_t words = (windows + (WORD_BITS - 1u)) / WORD_BITS;
        if (words <= map_len)
            return 1;
        size_t nw = words * 2u > MAP_MIN_WORDS ? words * 2u : MAP_MIN_WORDS;
        char *b = alloc_block(block_need(DIR_MAP + nw * 8u));
        if (!b)
            return 0;
        char *old = dir_off != NIL ? block_of(at(dir_off)) : NULL;
        dir_move(b, DIR_MAP + nw * 8u);
        if (old)
            free_block(old);
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

static inline size_t run_bytes(unsigned n, size_t slot)
{
    return ROUND_UP(HDR_SIZE + RUN_HOT + n * slot + RUN_LINKS, ALIGNMENT);
}

/* Slot count up to n (more than half of it) whose run, with the gap to the next RUN_ALIGN
 * boundary where another run could start, wastes the smallest share of its bytes. */
static unsigned tidy_slots(unsigned n, size_t slot)
{
    unsigned best = n;
    size_t best_span = ROUND_UP(run_bytes(n, slot), RUN_ALIGN);
    for (unsigned k = n - 1u; k > n / 2u; k--) {
        size_t span = ROUND_UP(run_bytes(k, slot), RUN_ALIGN);
        if (k * best_span > best * span) { /* k slots per span bytes beat best per best_span */
            best = k;
            best_span = span;
        }
    }
    return best;
}

/* Carve a run of at most n slots (at least half as many when that fills a hole better) at an
 * aligned position: in the best-fitting free block, or at the top of the heap. NULL, and no run,
 * when no free block fits the run but one fits `need`, the request's ordinary block, or when
 * slots from RUN_FILL_SLOT up would split a hole while a list block fits `need`: the caller then
 * takes that one (a run at the top would grow the heap while the holes stayed empty). */
static char *place_run(unsigned n, size_t slot, size_t need)
{
    unsigned least = n > 1u ? n / 2u : 1u;
    size_t fs;
    word_t *link;
    if (slot >= RUN_FILL_SLOT && list_fit(need, &fs, &link))
        return NULL;
    char *f = find_fit(run_bytes(least, slot) + RUN_ALIGN + MIN_BLOCK, &fs);
    if (f) {
        free_remove(f, fs);
        char *start = run_start_in(f);
        size_t room = (size_t)(f + fs - start);
        unsigned fit = (unsigned)((room - HDR_SIZE - RUN_HOT - RUN_LINKS) / slot);
        return carve(f, fs, start, run_bytes(fit < n ? fit : n, slot), RUN);
    }
    if (find_fit(need, &fs))
        return NULL;
    f = top_region(&fs);
    n = tidy_slots(n, slot); /* at the top the next run may follow: waste least up to it */
    char *start = run_start_in(f);
    size_t want = (size_t)(start - f) + run_bytes(n, slot);
    if (want > fs && flush_kept()) /* kept runs go before the heap grows (see run_emptied) */
        return place_run(n, slot, need);
    if (!grow_top(f, fs, want))
        return NULL;
    return carve(f, want > fs ? want : fs, start, run_bytes(n, slot), RUN);
}

/* A new run for class c, or NULL, also when a hole fits a request of size bytes as an ordinary
 * block but none fits the run (see place_run) (noinline: its registers would burden
 * small_slow). */
static __attribute__((noinline)) char *run_create(unsigned c, size_t size)
{
    size_t slot = (size_t)(c + 1u) * ALIGNMENT;
    if (dir_off == NIL && !dir_reserve(heap_size))
        return NULL;
    unsigned n = RUN_MIN_SLOTS << run_levels()[c];
    if (n * slot > RUN_SLOT_BYTES)
        n = (unsigned)(RUN_SLOT_BYTES / slot);
    char *r = place_run(n, slot, block_need(size));
    if (!r)
        return NULL;
    if (!dir_reserve(off(r) + bsize(r))) {
        set_hdr(r, bsize(r), ALLOC | prev_alloc(r));
        free_block(r);
        return NULL;
    }
    n = (unsigned)((bsize(r) - HDR_SIZE - RUN_HOT - RUN_LINKS) / slot);
    if (n * slot > RUN_SLOT_BYTES)
        n = (unsigned)(RUN_SLOT_BYTES / slot);
    if (n > RUN_MAX_SLOTS)
        n = RUN_MAX_SLOTS;
    struct run_meta *m = meta(r);
    m->free_mask = full_mask(n);
    m->slot = (uint8_t)slot;
    m->nslots = (uint8_t)n;
    m->span = (uint16_t)(n * slot);
    m->inv = inverse(slot);
    run_count++;
    map_flip(r);
    if (run_levels()[c] < RUN_MAX_LEVEL)
        run_levels()[c]++;
    run_push(r, m, c);
    return r;
}

/* Slot class of a small request. */
static inline unsigned slot_class(size_t n)
{
    return (unsigned)(ROUND_UP(n, ALIGNMENT) / ALIGNMENT) - 1u;
}

/* Class c's first run with free slots, or NULL. */
static inline char *run_with_room(unsigned c)
{
    word_t h = dir_off != NIL ? run_heads()[c] : NIL;
    return h != NIL ? at(h) : NULL;
}

/* Runs pay off once a class is popular: until then its requests get ordinary blocks. */
static int wants_run(unsigned c)
{
    if (class_seen[c] >= RUN_THRESHOLD)
        return 1;
    class_seen[c]++;
    return 0;
}

/* A slot from run r of class c (r has a free slot and heads the class's list). */
static inline void *slot_take(char *r, unsigned c)
{
    struct run_meta *m = meta(r);
    unsigned i = (unsigned)__builtin_ctzll(m->free_mask);
    m->free_mask &= m->free_mask - 1u;
    if (!m->free_mask)
        run_pop(m, c);
    return slots(r) + (size_t)i * m->slot;
}

/* Whether p may be a run's slot, with p's map window and the map words that hold it (here) and
 * the 64 windows below (below): false when the map does not reach p, or while runs are sparse,
 * when neither word marks a run start. */
static inline int run_near(void *p, size_t *w, uint64_t *below, uint64_t *here)
{
    size_t k = (*w = (size_t)((char *)p - heap) / RUN_ALIGN) / WORD_BITS;
    if (k >= map_len) /* also when there is no directory */
        return 0;
    const uint64_t *map = run_map();
    *below = __builtin_expect(k != 0, 1) ? map[k - 1] : 0;
    *here = map[k];
    /* Sparse runs (a big heap, see runs of small slots): most frees of ordinary blocks find both
     * words empty, so this test predicts well and skips the exact lookup. Where runs are dense
     * (1,000 live blocks of random sizes: 44% find both empty) it would mispredict: off. */
    return !runs_sparse || (*below | *here);
}

/* The run holding p, or NULL, given run_near's window w and map words. */
static inline char *run_in_span(void *p, size_t w, uint64_t below, uint64_t here)
{
    unsigned bit = (unsigned)(w % WORD_BITS);
    /* Bit i of starts: a run starts at window w - 63 + i (the only runs whose slots reach p). */
    uint64_t starts = (uint64_t)(((unsigned __int128)here << WORD_BITS | below) >> (bit + 1u));
    /* These windows lie within RUN_SLOT_BYTES below p, where slots reach, and an ordinary block
     * lies wholly past the run: past its slots, p is not one. The meta, first in the run's
     * payload, gives their span without the header. Whether a run starts in the windows is as
     * random as the answer, so no branch tests it: without one, the candidate payload is at
     * offset 0, the heap's zeroed padding, whose span 0 holds no p. */
    size_t po = (w - (unsigned)__builtin_clzll(starts | 1u)) * RUN_ALIGN & -(size_t)(starts != 0);
    const struct run_meta *m = (const void *)(heap + po);
    return (size_t)((char *)p - heap) - po - RUN_HOT < m->span ? heap + po - HDR_SIZE : NULL;
}

/* The run holding p, or NULL when p is an ordinary block's payload. */
static inline char *run_of(void *p)
{
    size_t w;
    uint64_t below, here;
    return run_near(p, &w, &below, &here) ? run_in_span(p, w, below, here) : NULL;
}

/* Whether class c's runs thrash: it has released many runs (see run_emptied). */
static inline int thrashing(unsigned c) { return class_seen[c] == THRASH_AT; }

static inline int run_empty(const struct run_meta *m)
{
    return m->free_mask == full_mask(m->nslots);
}

/* Free run r (meta m), whose every slot is free. */
static void run_release(char *r, struct run_meta *m)
{
    unsigned c = run_class(m);
    if (class_seen[c] < THRASH_AT)
        any_thrash |= ++class_seen[c] == THRASH_AT;
    run_unlink(m, c);
    if (run_levels()[c] > 0)
        run_levels()[c]--;
    run_count--;
    map_flip(r);
    set_hdr(r, bsize(r), ALLOC | prev_alloc(r));
    free_block(r);
}

/* Run r (meta m) has just become empty: free it, unless its class thrashes. A class whose live
 * count swings around a run's boundary creates and frees a run every few requests (a recorded
 * bc: 16,000 runs per 200,000 requests, 0.45x glibc's speed), so such a class keeps one empty
 * run at the head of its list, which its next request takes. A kept run is freed when a full
 * run of its class regains room (refill_thrashing); before a malloc, a new run or a realloc
 * would grow the heap, so that the request may take its place; and when a large free block
 * forms away from the heap top, so that the heap can still shrink (flush_kept). A class keeps
 * one once it has released THRASH_RUNS runs: a short recorded tar run releases 334 runs in
 * 4,400 requests, and waiting for 231 releases left it at 0.55x glibc's speed (0.68x now). A
 * kept run takes a hole that other requests would have used, which moves single traces (realloc
 * ones by up to 0.3) either way: for counts from 1 to 104, the average util/bound of 204
 * held-out traces rose by 0.001 to 0.006, and the suite's moved by less than 0.004, but at 16
 * (realloc-vector alone fell from 0.99 to 0.71). (noinline: mm_free's paths then push no
 * registers.) */
static __attribute__((noinline)) void run_emptied(char *r, struct run_meta *m)
{
    unsigned c = run_class(m);
    char *h = at(run_heads()[c]); /* r is listed: it has free slots */
    if (!thrashing(c) || (h != r && run_empty(meta(h)))) { /* one kept run per class */
        run_release(r, m);
        return;
    }
    if (h != r) { /* a kept run heads its list */
        run_unlink(m, c);
        run_push(r, m, c);
    }
}

/* Free the empty run that heads class c's list, if any: whether there was one. */
static int drop_kept(unsigned c)
{
    char *h = run_with_room(c);
    if (!h || !run_empty(meta(h)))
        return 0;
    run_release(h, meta(h));
    return 1;
}

/* Free the empty runs that thrashing classes keep: whether there were any. Callers must hold no
 * free block out of its structure (a freed run merges with its free neighbours). */
static int flush_kept(void)
{
    int any = 0;
    if (!any_thrash)
        return 0;
    for (unsigned c = 0; c < NSMALL; c++)
        any |= thrashing(c) && drop_kept(c);
    return any;
}

/* Slot i of run r (meta m), listed, is free. */
static inline void slot_free(char *r, struct run_meta *m, unsigned i)
{
    m->free_mask |= 1ull << i;
    if (run_empty(m))
        run_emptied(r, m);
}

/* Slot i of full run r (meta m) of thrashing class c is free: r heads the class's list again,
 * and a kept run, not needed while r has room, is freed, so that a kept run always heads its
 * list. (noinline: a call on mm_free's path would make it save registers.) */
static __attribute__((noinline)) void refill_thrashing(char *r, struct run_meta *m, unsigned c,
                                                       unsigned i)
{
    drop_kept(c);
    run_push(r, m, c);
    slot_free(r, m, i);
}

static inline void small_free(char *r, void *p)
{
    struct run_meta *m = meta(r);
    unsigned i = (unsigned)(((uint64_t)((char *)p - slots(r)) * m->inv) >> INV_SHIFT);
    if (!m->free_mask) {
        unsigned c = run_class(m);
        if (thrashing(c)) {
            refill_thrashing(r, m, c, i);
            return;
        }
        run_push(r, m, c);
    }
    slot_free(r, m, i);
}

/* ---- Public interface ------------------------------------------------------------------------ */

/* Once the heap reaches TABLE_AT, give the big classes their head table (an ordinary allocated
 * block, from a free block that fits it; at the heap top only past TABLE_TOP_AT, since there it
 * would stop a block growing) and sort the one big list into them. */
static void make_table(void)
{
    size_t fs;
    if (heap_size < TABLE_TOP_AT && !find_fit(TABLE_NEED, &fs)) {
        set_table_fits(0); /* no retry until a free block that fits appears (see big_insert) */
        return;
    }
    char *t = alloc_block(TABLE_NEED);
    if (!t)
        return;
    memset(payload(t), 0, TABLE_WORDS * 4u);
    word_t o = big;
    big = off(payload(t));
    big_bits = 0;
    table_at = TABLE_NEVER;
    while (o != NIL) {
        char *b = at(o);
        o = *link_next(b);
        big_insert(b, bsize(b));
    }
}

int mm_init(void)
{
    heap = mem_heap_lo();
    size_t left = mem_heapsize(); /* a heap an earlier run left: as if it had shrunk */
    if (left != 0 && mem_sbrk(-(intptr_t)left) == (void *)-1)
        return -1;
    if (mem_sbrk(FIRST_BLOCK_OFF + HDR_SIZE) == (void *)-1)
        return -1;
    heap = mem_heap_lo();
    heap_size = (word_t)mem_heapsize();
    big = NIL;
    big_bits = 0;
    shrink_level = left ? SHRUNK : 0;
    set_table_fits(0);
    memset(list_heads, 0, sizeof list_heads);
    list_bits = 0;
    dir_off = NIL;
    map_len = 0;
    run_count = 0;
    runs_sparse = (uint8_t)runs_are_sparse();
    defer_off = NIL;
    memset(class_seen, 0, sizeof class_seen);
    any_thrash = 0;
    memset(heap, 0, FIRST_BLOCK_OFF);
    set_hdr(epilogue(), 0, ALLOC | PREV_ALLOC);
    return 0;
}

/* list_malloc past its common case: the nearly best list block, else a big one. At ALIGNMENT 16
 * list_malloc found need's own class empty: only the classes above remain. */
static __attribute__((noinline)) void *list_other(size_t need)
{
    size_t fs;
    word_t *link;
    char *f = ALIGNMENT % LIST_STEP == 0 ? list_above(need, &fs, &link)
                                         : list_fit(need, &fs, &link);
    if (!f)
        return big_malloc(need);
    if (fs - need >= LIST_LIMIT)
        __builtin_unreachable(); /* tells the compiler: its tail is no big block */
    list_take(f, fs, link);
    return payload(take(f, fs, need));
}

/* The payload of a new ordinary block of need < LIST_LIMIT bytes; its free-list paths make no
 * call (a list block's tail goes to a list too). The scans need registers that would make
 * mm_malloc push some on every call, runs' too, so they live in functions it jumps to; the
 * common case at ALIGNMENT 16 (a block of the request's own class) stays apart from the rest
 * (list_other), so that it pushes none either. */
static __attribute__((noinline)) void *list_malloc(size_t need)
{
    unsigned c = list_class(need);
    if (ALIGNMENT % LIST_STEP == 0 && (list_bits >> c & 1u)) {
        word_t *link;
        char *f = low_first(&list_heads[c], &link);
        list_take(f, need, link);
        return payload(take(f, need, need));
    }
    return list_other(need);
}

static inline __attribute__((always_inline)) void *block_malloc(size_t need)
{
    return need < LIST_LIMIT ? list_malloc(need) : big_malloc(need);
}

/* block_malloc, for big_malloc_above's retry once it has done the waiting frees. */
static void *malloc_need(size_t need) { return block_malloc(need); }

/* A small request of class c whose class has no run with room: a slot of a new run once the
 * class is popular, else an ordinary block (also when a hole fits the block and no run fits a
 * hole: see place_run). */
static __attribute__((noinline)) void *small_slow(unsigned c, size_t size)
{
    char *r;
    if (wants_run(c) && (r = run_create(c, size)))
        return slot_take(r, c);
    return block_malloc(block_need(size));
}

/* mm_malloc past its checks. Its calls are tail calls, so that the common paths push no
 * registers. */
static inline __attribute__((always_inline)) void *malloc_body(size_t size)
{
    if (small_size(size)) {
        unsigned c = slot_class(size);
        char *r = run_with_room(c);
        return r ? slot_take(r, c) : small_slow(c, size);
    }
    return block_malloc(block_need(size));
}

static inline void *take_held(size_t need);

/* mm_malloc once the heap has reached table_at: the table is made, or (past DEFER_AT) a request
 * for an ordinary block takes a held block of its size first (see deferred frees). */
static __attribute__((noinline)) void *table_then_malloc(size_t size)
{
    if (!has_table) {
        make_table();
    } else if (!small_size(size)) {
        void *p = take_held(block_need(size));
        if (p)
            return p;
    }
    return malloc_body(size);
}

/* Whether make_table is due: before the table exists, once the heap reaches TABLE_AT while a
 * free block may fit it, else TABLE_TOP_AT. The test runs on every malloc and realloc, so the
 * three states share one word and it costs one comparison (flags took up to 9 instructions). */
static inline int table_due(void) { return heap_size >= table_at; }

void *mm_malloc(size_t size)
{
    if (size - 1u >= MAX_HEAP_BYTES) { /* 0 or too large */
        if (size)
            return NULL;
        size = 1; /* a distinct pointer, as glibc gives */
    }
    return table_due() ? table_then_malloc(size) : malloc_body(size);
}

/* Free p, whose run (from run_of) is r, or NULL when p is an ordinary block's payload. */
static inline void release(char *r, void *p)
{
    if (r)
        small_free(r, p);
    else
        free_block(block_of(p));
}

/* mm_free once run_near found p near a run start: the exact lookup, and the free. Inline: a
 * call here cost more (argument moves, a jump) than the register it saved on the path of blocks
 * far from runs. */
static inline void release_near(void *p, size_t w, uint64_t below, uint64_t here)
{
    release(run_in_span(p, w, below, here), p);
}

/* Free p now. */
static inline void free_now(void *p)
{
    size_t w;
    uint64_t below, here;
    __builtin_prefetch(block_of(p)); /* an ordinary block's header: a miss overlapping run_near */
    if (run_near(p, &w, &below, &here))
        release_near(p, w, below, here);
    else
        free_block(block_of(p));
}

/* ---- Deferred frees (heaps past DEFER_AT) ---------------------------------------------------- */

/* Past DEFER_AT (64 MiB) a free would stall on two cache misses in a row: its header, then its
 * right neighbour's header at header + size, which coalescing reads and whose PREV_ALLOC bit it
 * clears. So mm_free puts the payload in the next slot of a ring (in the pending block, an
 * ordinary allocated block made then), asks for its header's line, asks for the right
 * neighbour's line of the block that came DEFER_WARM (4) frees earlier, and frees the block that
 * came DEFER_SLOTS - 1 (7) frees earlier, whose lines have arrived: each miss overlaps with the
 * work of the calls in between (1,000,000 live blocks of random sizes: 49 ns per op in batches
 * of 16 frees, 40 in the ring; rings of 16 or 32 were no faster). Even so, the neighbour's line
 * is one of about three per malloc/free pair that come from memory. So a waiting free of an
 * ordinary block of at most HOLD_MAX bytes (requests up to 1 KiB), once its header has arrived,
 * leaves the ring for a held stack of its exact size (HOLD_DEPTH entries, 64 bytes per size, in
 * the pending block): it stays allocated, its neighbour is never read, and the next request
 * past DEFER_AT for that size takes the newest one before any list (32 ns per op; 83% of frees
 * are held, and 94% of requests for ordinary blocks take a held one). A full stack leaves the
 * block in the ring; run slots always go that way.
 * A waiting or held block stays allocated: nothing reuses it and the heap cannot shrink below
 * it. The ring is flushed before a request grows the heap (and the request retried), the held
 * blocks before a request above HOLD_MAX grows it (a smaller one grows the heap with them kept:
 * flushing them each time cost 5 ns per op, for a heap 0.2% smaller), and both when the heap
 * shrinks below DEFER_AT. Smaller heaps free at once: holding changes the order in which blocks
 * are reused, which cost suite traces 0.008 to 0.015 util/bound, and the ring alone cost them
 * 0.002 from 16 MiB. */

/* The pending-free block: the ring's position (its next slot, always empty), then DEFER_SLOTS
 * slots, each NIL or the payload offset of a waiting free. */
static inline word_t *pending(void) { return wp(at(defer_off)); }

/* Slot i (mod DEFER_SLOTS) of the ring in pending block q. */
static inline word_t *ring_slot(word_t *q, unsigned i) { return &q[1u + i % DEFER_SLOTS]; }

/* Whether blocks of s bytes have a held stack: MIN_BLOCK <= s <= HOLD_MAX, in one unsigned
 * comparison. */
static inline int holdable(size_t s) { return s - MIN_BLOCK <= HOLD_MAX - MIN_BLOCK; }

/* The held stack of ordinary blocks of s bytes (holdable) in pending block q:
 * its count, then that many payload offsets, the newest last. */
static inline word_t *held(word_t *q, size_t s)
{
    return q + 1u + DEFER_SLOTS + (s - MIN_BLOCK) / ALIGNMENT * HOLD_WORDS;
}

/* A waiting free, its header's line asked for DEFER_WARM frees ago: an ordinary block of at
 * most HOLD_MAX bytes whose size's stack has room leaves the ring for it, still allocated; for
 * any other block, ask for its right neighbour's line, which its free will read (a run slot's
 * guess is garbage, harmless to a prefetch). Always inlined: as a function of its own GCC would
 * find the prefetch pure and delete it. */
static inline __attribute__((always_inline)) void warm_or_hold(word_t *q, word_t *slot)
{
    word_t o = *slot;
    char *b = block_of(at(o));
    size_t s = bsize(b);
    if (holdable(s)) { /* a run slot's garbage size may pass too */
        word_t *h = held(q, s);
        if (h[0] < HOLD_DEPTH && !run_of(at(o))) {
            h[++h[0]] = o;
            *slot = NIL;
            return;
        }
    }
    __builtin_prefetch(b + s);
}

/* A held block of need bytes for mm_malloc past DEFER_AT, or NULL. */
static inline void *take_held(size_t need)
{
    if (defer_off == NIL || !holdable(need))
        return NULL;
    word_t *h = held(pending(), need);
    return h[0] ? at(h[h[0]--]) : NULL;
}

/* Do the waiting frees, oldest first: whether there were any. A slot is emptied before its
 * free, which may shrink the heap below DEFER_AT and so come back here (flush_pending) for the
 * rest. */
static int flush_ring(void)
{
    if (defer_off == NIL)
        return 0;
    word_t *q = pending();
    int any = 0;
    for (unsigned k = 1; k < DEFER_SLOTS; k++) {
        word_t *slot = ring_slot(q, q[0] + k), o = *slot;
        if (o != NIL) {
            *slot = NIL;
            free_now(at(o));
            any = 1;
        }
    }
    return any;
}

/* Free the held blocks: whether there were any. As in flush_ring, an entry leaves its stack
 * before its free. */
static int flush_held(void)
{
    if (defer_off == NIL)
        return 0;
    int any = 0;
    for (size_t s = MIN_BLOCK; s <= HOLD_MAX; s += ALIGNMENT) {
        word_t *h = held(pending(), s);
        while (h[0]) {
            word_t o = h[h[0]--];
            free_block(block_of(at(o)));
            any = 1;
        }
    }
    return any;
}

/* Do every waiting free, held blocks too: whether there were any. */
static int flush_pending(void) { return flush_ring() | flush_held(); }

/* mm_free once the heap has reached DEFER_AT: p takes the ring's next slot in the pending block
 * (made now, if need be), and the frees that came before it move on a stage (see the design
 * note). */
static __attribute__((noinline)) void free_deferred(void *p)
{
    if (defer_off == NIL) {
        char *b = alloc_block(block_need(DEFER_BYTES));
        if (!b) {
            free_now(p);
            return;
        }
        defer_off = off(payload(b));
        memset(pending(), 0, DEFER_BYTES); /* position 0, every slot NIL */
    }
    word_t *q = pending();
    unsigned i = q[0];
    *ring_slot(q, i) = off(p);
    __builtin_prefetch(block_of(p));
    q[0] = (i + 1u) % DEFER_SLOTS;
    word_t *warm = ring_slot(q, i - DEFER_WARM);
    if (*warm != NIL)
        warm_or_hold(q, warm);
    word_t *oldest = ring_slot(q, i + 1u), o = *oldest;
    if (o != NIL) {
        *oldest = NIL;
        free_now(at(o));
    }
}

void mm_free(void *ptr)
{
    if (!ptr)
        return;
    if (heap_size >= DEFER_AT)
        free_deferred(ptr);
    else
        free_now(ptr);
}

/* ---- realloc ------------------------------------------------------------------------------- */

/* In place first: shrinking splits off the tail; growing absorbs a free right neighbour, or
 * extends the heap for the last block (unless a free left neighbour at least its size covers the
 * growth: it slides down there instead, even when the top has room, up to SLIDE_MAX_BYTES), or
 * slides the payload down into a free left neighbour (memmove). Only then does the block move
 * (allocate, copy, free), to the lowest-addressed hole that fits, of at most MOVE_SPAN times its
 * size, once its own size class has none: best fit would pick the tightest hole, often the one a
 * growing peer has just left, and growing blocks would leapfrog, stranding a hole at each move
 * (append traces lose 0.04 to 0.25 util/bound that way). A block growing by a small step (at most
 * 1/STEP_DIV of its size, as strings do) starts 1/LEAD_DIV of the hole's spare room in, so that
 * both it and the hole's left neighbour, often a peer that grew into that hole, have room to grow.
 * A last block holding at least 1/SLIDE_HEAP_DIV of the heap slides down even before extending
 * the heap, when its free left neighbour is between 1/SLIDE_MIN_DIV and 1/SLIDE_MAX_DIV of its
 * size (up to SLIDE_MAX_BYTES: copying costs time): that hole, often the one the block left when
 * it first moved to the top, would otherwise stay stranded below it as it keeps growing.
 * A block of the allocator's own (the run directory or the big-class table, which nothing else
 * points to) of at most 1/YIELD_DIV of a growing block's size, standing next to it, moves
 * instead of it (meta_yield). The directory, reallocated as the heap grows, lands in a hole
 * that fits it, at times the hole a large block has just left; a block growing by doubling in
 * that hole would then miss its last step by the directory's size and move to the heap top (a
 * recorded sqlite run: peak 13.58 MB instead of 11.58). Later moves differ, though: on
 * realloc-large (arrays growing to 64 MiB) they copy 56 MB per replay instead of 46, 0.58x
 * glibc's throughput instead of 0.71x.
 * When that block of the allocator's own is the last one, the growing block keeps its place
 * and the own block rides up past it (meta_ride): the table is made at the heap top, often
 * right past the block whose growth took the heap past TABLE_TOP_AT. That block used to move
 * at its next growth; on generated traces of one to four huge blocks, their utilization
 * averaged 0.74 then and 0.80 now (one huge block that grows and shrinks: 0.63, now 1.00). */

/* Size of b's right neighbour when it is free, else 0. */
static inline size_t free_right(char *b)
{
    char *n = next_block(b);
    return is_alloc(n) ? 0 : bsize(n);
}

/* Make ordinary block b a block of need bytes out of the span bytes from b: b, its free right
 * neighbour of ns bytes (0: none) and any heap just added. Returns b's payload. */
static inline void *grow_into(char *b, size_t ns, size_t span, size_t need)
{
    if (ns)
        free_remove(b + bsize(b), ns);
    take_flags(b, span, need, prev_alloc(b));
    return payload(b);
}

/* Try to make ordinary block b span need bytes without moving it: b's payload, or NULL. */
static inline void *grow_in_place(char *b, size_t need)
{
    size_t s = bsize(b), ns = free_right(b);
    if (s + ns >= need)
        return grow_into(b, ns, s + ns, need);
    if (b + s + ns != epilogue() || !extend_heap(need - s - ns))
        return NULL;
    return grow_into(b, ns, need, need);
}

/* Move b's first keep payload bytes down to its free left neighbour p, and make the span bytes
 * from p (p, b, b's free right neighbour of ns bytes, and any heap just added) a block of need. */
static char *slide_down(char *p, char *b, size_t ns, size_t span, size_t need, size_t keep)
{
    free_remove(p, (size_t)(b - p));
    if (ns)
        free_remove(next_block(b), ns);
    memmove(payload(p), payload(b), keep);
    return carve(p, span, p, need, 0);
}

/* Slide ordinary block b down into its free left neighbour (and right one) to span need. */
static char *grow_into_prev(char *b, size_t need, size_t keep)
{
    if (prev_alloc(b))
        return NULL;
    char *p = prev_block(b);
    size_t s = bsize(b), ps = bsize(p), ns = free_right(b);
    if (ps + s + ns < need)
        return NULL;
    return slide_down(p, b, ns, ps + s + ns, need, keep);
}

/* Whether top_slide may move ordinary block b of s bytes, whose free right neighbour has ns (0:
 * none): b is the last block (bar a free top block) and has a free left neighbour. */
static inline int may_top_slide(char *b, size_t s, size_t ns)
{
    return !prev_alloc(b) && b + s + ns == epilogue();
}

/* Slides on credit. Each top_slide call earns SLIDE_CREDIT bytes, up to the heap's size; a
 * slide of a block of at least 1/SLIDE_FREE_DIV of the heap, whose growth may set the heap's
 * peak, is free, a smaller one spends its size. Tcl grows strings of 16 to 213 KB at the heap
 * top, one after another, each while the previous one is freed below it (rec-tclsh-strings):
 * every growth slid down, 65 KB copied per realloc (0.46x glibc's throughput, util 0.929); on
 * credit 2.9 KB (1.15x, util 0.938; on 4 KiB, 0.913). Before the table the heap is small, and
 * so are the copies. */

/* The credit word, after this call's earnings, or NULL before the table. */
static inline word_t *slide_credit(void)
{
    if (!has_table)
        return NULL;
    word_t *credit = &big_heads()[TABLE_CREDIT];
    size_t c = *credit + SLIDE_CREDIT;
    *credit = (word_t)(c < heap_size ? c : heap_size);
    return credit;
}

/* Whether a slide of a block of s bytes is paid for; if so, it is spent. */
static inline int slide_paid(word_t *credit, size_t s)
{
    if (!credit || s * SLIDE_FREE_DIV >= heap_size)
        return 1;
    if (s > *credit)
        return 0;
    *credit -= (word_t)s;
    return 1;
}

/* Block b, for which may_top_slide holds, grows to need: slide it down into its free left
 * neighbour, rather than strand that hole (often the one b left when it moved up) below it for
 * good, when the neighbour is at least b's size and covers the growth (for a block over
 * SLIDE_MAX_BYTES, only when the heap must grow: copying costs time), or when the heap must grow
 * and b holds most of it, so that its growth sets the heap's peak, and has outgrown the
 * neighbour. Sliding before the heap must grow counts when the top has room from an earlier
 * peak (generated realloc traces: +0.01 to +0.1 util/bound). */
static char *top_slide(char *b, size_t need, size_t keep)
{
    size_t s = bsize(b), ns = free_right(b);
    char *p = prev_block(b);
    size_t ps = bsize(p), have = ps + s + ns;
    word_t *credit = slide_credit();
    int must_grow = s + ns < need;
    int roomy = ps >= s && have >= need && (must_grow || s <= SLIDE_MAX_BYTES);
    int outgrown = must_grow && s <= SLIDE_MAX_BYTES && s * SLIDE_HEAP_DIV >= heap_size &&
                   ps * SLIDE_MIN_DIV >= s && ps * SLIDE_MAX_DIV < s;
    if ((!roomy && !outgrown) || !slide_paid(credit, s))
        return NULL;
    if (have < need && !extend_heap(need - have))
        return NULL;
    return slide_down(p, b, ns, have < need ? need : have, need, keep);
}

/* Split off b's tail past need bytes, at least MIN_BLOCK, and free it (b's right neighbour keeps
 * PREV_ALLOC set until free_block clears it). Returns b's payload. */
static __attribute__((noinline)) void *shrink_in_place(char *b, size_t need)
{
    size_t s = bsize(b);
    set_hdr(b, need, ALLOC | prev_alloc(b));
    set_hdr(b + need, s - need, PREV_ALLOC | ALLOC);
    free_block(b + need);
    return payload(b);
}

/* realloc's move of p (a slot of run r, or an ordinary block's payload when r is NULL), whose
 * block holds old payload bytes, to a new block of size bytes.
 * A block that must move has outgrown its place and tends to grow again. Best fit would put it in
 * the tightest larger hole, often one a growing peer has just left, so such blocks leapfrog and
 * strand a hole at each move; the lowest hole that fits packs them low and leaves the higher holes
 * to merge (append traces +0.04 to +0.25 util/bound). Only holes up to MOVE_SPAN times its size
 * take part, though, else the tightest hole: a recorded tar run moved its growing strings of 300
 * bytes to 2 KB to the bottom of the 32 KB holes its freed buffers left, and each next buffer had
 * to grow the heap (util 0.762; 0.886 with the bound; 40 recordings of real programs +0.004, 512
 * held-out generated traces +0.001, the suite -0.006, most of it its realloc-append trace, 0.82 to
 * 0.65, where the held-out ones average -0.007). A block that grows by small steps (a string
 * appended to) starts a third of the hole's spare room in: the hole's left neighbour, often a peer
 * that grew into it, keeps room to grow, and so does the block, on both sides (grow_into_prev).
 * Blocks that grow by a larger step, often once, start at the hole's start: splitting a big hole
 * for them lost up to 0.15 on calloc and random traces. */
static __attribute__((noinline)) void *realloc_move(void *p, char *r, size_t old, size_t size)
{
    void *np;
    if (small_size(size)) {
        np = mm_malloc(size);
    } else {
        size_t need = block_need(size);
        char *nb = alloc_moved(need, need > old && need - old <= old / STEP_DIV);
        np = nb ? payload(nb) : NULL;
    }
    if (!np)
        return NULL;
    memcpy(np, p, old < size ? old : size);
    release(r, p); /* free(p) without a second run lookup */
    return np;
}

/* The word holding the payload offset of a block of the allocator's own (run directory or big-
 * class table) that stands next to ordinary block b: b's left neighbour, or its right one past a
 * free block; NULL when there is none. *left tells which. */
static word_t *own_neighbour(char *b, int *left)
{
    word_t *own[2] = {&dir_off, &big};
    int made[2] = {dir_off != NIL, has_table};
    char *r = next_block(b);
    if (!is_alloc(r))
        r = next_block(r);
    for (unsigned k = 0; k < 2; k++) {
        if (!made[k])
            continue; /* its offset names no block */
        char *m = block_of(at(*own[k]));
        if (next_block(m) == b || m == r) {
            *left = next_block(m) == b;
            return own[k];
        }
    }
    return NULL;
}

/* Each free block of [lo, hi) leaves its structure (back: joins it again). */
static void span_lists(char *lo, char *hi, int back)
{
    for (char *x = lo; x < hi; x = next_block(x))
        if (!is_alloc(x))
            (back ? free_insert : free_remove)(x, bsize(x));
}

/* meta_yield's case of an own block m (its offset in *o) to the right of ordinary block b that
 * is the last block but a free top block, which ends at hi: b grows to need bytes in place and m
 * rides up to stand after it, extending the heap as needed. Returns b's payload, or NULL. */
static char *meta_ride(char *b, char *m, word_t *o, char *hi, size_t need)
{
    size_t ms = bsize(m), have = (size_t)(hi - b);
    if (have < need + ms && !extend_heap(need + ms - have))
        return NULL;
    span_lists(b, hi, 0);
    char *nm = b + need;
    memmove(payload(nm), payload(m), ms - HDR_SIZE);
    *o = off(payload(nm)); /* before carve: the tail it frees may join a big class */
    set_hdr(b, need, ALLOC | prev_alloc(b));
    set_hdr(nm, (size_t)(epilogue() - nm), PREV_ALLOC);
    carve(nm, (size_t)(epilogue() - nm), nm, ms, 0);
    return payload(b);
}

/* realloc's growth of ordinary block b to need bytes when a block of the allocator's own (run
 * directory, table) of at most 1/YIELD_DIV of b's size stands next to it: that block moves
 * instead of b, and b grows over its place and the free blocks around it, in place or sliding
 * down; when that block is the last but a free top block, it rides up past b instead
 * (meta_ride). Returns b's new payload, or NULL when no such block is there, the span would not
 * hold need, it reaches the heap top past a block to b's left, or the heap is past DEFER_AT (see
 * realloc). */
static char *meta_yield(char *b, size_t need)
{
    int left;
    word_t *o = defer_off == NIL ? own_neighbour(b, &left) : NULL;
    if (!o)
        return NULL;
    char *m = block_of(at(*o));
    size_t ms = bsize(m);
    if (ms * YIELD_DIV > bsize(b))
        return NULL;
    char *lo = left ? (prev_alloc(m) ? m : prev_block(m)) : b;
    char *hi = next_block(left ? b : m);
    if (!is_alloc(hi))
        hi = next_block(hi);
    if (hi == epilogue()) /* a new block for m would come from the top: m rides up instead */
        return left ? NULL : meta_ride(b, m, o, hi, need);
    size_t span = (size_t)(hi - lo);
    if (span < need)
        return NULL;
    if (flush_kept()) /* alloc_block must free no kept run: it could merge into the span */
        return meta_yield(b, need);
    span_lists(lo, hi, 0); /* the new block must come from elsewhere */
    char *nm = alloc_block(ms);
    if (!nm) {
        span_lists(lo, hi, 1);
        return NULL;
    }
    if (o == &dir_off) {
        dir_move(nm, bsize(nm) - HDR_SIZE);
    } else {
        memcpy(payload(nm), payload(m), ms - HDR_SIZE);
        big = off(payload(nm));
    }
    if (lo != b)
        memmove(payload(lo), payload(b), bsize(b) - HDR_SIZE);
    return payload(carve(lo, span, lo, need, 0));
}

/* realloc's growth of ordinary block b to need bytes once in place failed (b may not be the
 * last block): slide into its free left neighbour, else move the allocator's own neighbour
 * block, else move b. */
static __attribute__((noinline)) void *slide_or_move(char *b, size_t need, size_t size)
{
    size_t old = bsize(b) - HDR_SIZE;
    char *q = grow_into_prev(b, need, old);
    if (q)
        return payload(q);
    void *p = meta_yield(b, need);
    return p ? p : realloc_move(payload(b), NULL, old, size);
}

static inline void *grow_block(char *b, size_t need, size_t size);

/* realloc's growth of ordinary block b to need bytes when may_top_slide holds: top_slide, else
 * in place, else slide_or_move. When b outgrows its right neighbour, the kept runs go first, as
 * in grow_heap, and the growth starts over (generated realloc traces: util/bound +0.017 on
 * realloc-vector, -0.005 on realloc-append; the suite's realloc-append 0.70 -> 0.72). */
static __attribute__((noinline)) void *grow_at_top(char *b, size_t need, size_t size)
{
    if (bsize(b) + free_right(b) < need && flush_kept())
        return grow_block(b, need, size);
    char *q = top_slide(b, need, bsize(b) - HDR_SIZE);
    if (q)
        return payload(q);
    void *p = grow_in_place(b, need);
    return p ? p : slide_or_move(b, need, size);
}

/* grow_in_place of ordinary block b when its free right neighbour (ns bytes) covers need. */
static __attribute__((noinline)) void *grow_into_next(char *b, size_t ns, size_t need)
{
    return grow_into(b, ns, bsize(b) + ns, need);
}

/* grow_in_place of ordinary block b, the last block bar a free top block of ns bytes that does
 * not cover need, by growing the heap; when that fails, slide_or_move. Kept runs go first (see
 * run_emptied), and the growth starts over: freed, they may leave room below b. A recorded
 * c++filt grew its last block past three kept runs: util 0.92 with them, 0.95 without. */
static __attribute__((noinline)) void *grow_heap(char *b, size_t ns, size_t need, size_t size)
{
    if (flush_kept())
        return grow_block(b, need, size);
    if (!extend_heap(need - bsize(b) - ns))
        return slide_or_move(b, need, size);
    return grow_into(b, ns, need, need);
}

/* realloc's growth of ordinary block b to need bytes: top_slide when it may act, else in place,
 * else slide_or_move. Each case is a noinline function that mm_realloc jumps to, so that it
 * pushes no registers (only those that make calls do). */
static inline void *grow_block(char *b, size_t need, size_t size)
{
    size_t s = bsize(b), ns = free_right(b);
    if (may_top_slide(b, s, ns))
        return grow_at_top(b, need, size);
    if (s + ns >= need)
        return grow_into_next(b, ns, need);
    if (b + s + ns == epilogue())
        return grow_heap(b, ns, need, size);
    return slide_or_move(b, need, size);
}

/* mm_realloc of an allocated ptr to 0 < size <= MAX_HEAP_BYTES, past its checks. Its calls are
 * tail calls, so that it pushes no registers. */
static inline __attribute__((always_inline)) void *realloc_body(void *ptr, size_t size)
{
    char *r = run_of(ptr);
    if (r) {
        size_t old = meta(r)->slot;
        if (small_size(size) && ROUND_UP(size, ALIGNMENT) == old)
            return ptr;
        return realloc_move(ptr, r, old, size);
    }
    char *b = block_of(ptr);
    size_t need = block_need(size);
    if (need > bsize(b))
        return grow_block(b, need, size);
    return bsize(b) - need >= MIN_BLOCK ? shrink_in_place(b, need) : ptr;
}

static __attribute__((noinline)) void *table_then_realloc(void *ptr, size_t size)
{
    if (!has_table)
        make_table();
    return realloc_body(ptr, size);
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
    return table_due() ? table_then_realloc(ptr, size) : realloc_body(ptr, size);
}

/* The bytes of a new ordinary block's payload p of n bytes that may hold old data: those below
 * the heap top before the call (top). Above it lies memory the heap has never reached, which
 * memlib gives out zeroed, and where a request for an ordinary block writes only headers and
 * free blocks past its payload. (A recorded xz run callocs 67 MB at its heap top: clearing all
 * of it ran at 0.01x glibc's throughput, whose calloc of a break's new pages clears nothing.) */
static size_t stale_bytes(char *p, size_t n, size_t top)
{
    size_t o = (size_t)(p - heap), below = o < top ? top - o : 0;
    return below < n ? below : n;
}

/* Once the heap has shrunk (shrink_level is 0 until then), memory past its top may hold what an
 * earlier block left there: the globals do not keep how high it reached. */
static inline size_t clean_from(void) { return shrink_level ? MAX_HEAP_BYTES : heap_size; }

void *mm_calloc(size_t nmemb, size_t size)
{
    if (nmemb && size > SIZE_MAX / nmemb)
        return NULL;
    size_t n = nmemb * size, top = clean_from();
    void *p = mm_malloc(n);
    if (p) /* a small request may get a slot of a run carved from new memory, or the place of
            * one freed in the same call (see run_create): all of it is cleared */
        memset(p, 0, small_size(n) ? n : stale_bytes(p, n, top));
    return p;
}

/* ---- Heap checker ---------------------------------------------------------------------------- */

/* Every failure names the invariant and the heap offset; stderr only (stdout is the driver's),
 * and only when verbose: the driver's -D calls mm_check(0) before every op, and mm_check(1) once
 * it has failed, so that the explanation comes once. */
#define CHECK_FAIL(...) \
    ((void)(check_quiet || (fprintf(stderr, "mm_check: " __VA_ARGS__), fprintf(stderr, "\n"))), 0)

struct census {           /* what the heap walk saw, to compare with the structures */
    size_t list_blocks, tree_blocks, runs, open_runs, largest_free;
    word_t largest_off;    /* offset of the (first) largest free block */
    uint64_t list_hash, tree_hash, open_hash;
};

static int check_run(char *r, struct census *cs)
{
    struct run_meta *m = meta(r);
    word_t o = off(r);
    size_t w = (size_t)(payload(r) - heap) / RUN_ALIGN;
    if ((size_t)(payload(r) - heap) % RUN_ALIGN)
        return CHECK_FAIL("run at offset %u: payload not %u-aligned", o, RUN_ALIGN);
    if (dir_off == NIL || w / WORD_BITS >= map_len ||
        !(run_map()[w / WORD_BITS] >> (w % WORD_BITS) & 1u))
        return CHECK_FAIL("run at offset %u: its start is not marked in the run map", o);
    if (m->slot == 0 || m->slot % ALIGNMENT || m->slot > SMALL_MAX || m->inv != inverse(m->slot))
        return CHECK_FAIL("run at offset %u: bad slot size %u / inverse %u", o, m->slot, m->inv);
    if (m->span != (size_t)m->nslots * m->slot)
        return CHECK_FAIL("run at offset %u: span %u is not its %u slots of %u bytes", o,
                          m->span, m->nslots, m->slot);
    if (m->nslots == 0 || m->nslots > RUN_MAX_SLOTS || m->span > RUN_SLOT_BYTES ||
        HDR_SIZE + RUN_HOT + (size_t)m->span + RUN_LINKS > bsize(r))
        return CHECK_FAIL("run at offset %u: %u slots of %u bytes do not fit its %zu bytes", o,
                          m->nslots, m->slot, bsize(r));
    if (m->free_mask & ~full_mask(m->nslots))
        return CHECK_FAIL("run at offset %u: slot bitmap %#llx marks slots past its %u slots", o,
                          (unsigned long long)m->free_mask, m->nslots);
    if (run_empty(m) && !thrashing(run_class(m)))
        return CHECK_FAIL("run at offset %u: slot bitmap says every slot is free, yet the run "
                          "was not freed (its class %u does not thrash)", o, run_class(m));
    cs->runs++;
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
        return CHECK_FAIL("block at offset %u: bad size %zu (blocks do not tile the heap: it "
                          "runs past the epilogue or overlaps its neighbour)", o, s);
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
    if (s > cs->largest_free) {
        cs->largest_free = s;
        cs->largest_off = o;
    }
    if (s < LIST_LIMIT) {
        cs->list_blocks++;
        cs->list_hash += mix(o);
    } else {
        cs->tree_blocks++;
        cs->tree_hash += mix(o);
    }
    return 1;
}

/* The walked block that strictly encloses offset o, or NIL (diagnostics only: linear). */
static word_t enclosing_block(word_t o)
{
    char *end = epilogue();
    for (char *b = at(FIRST_BLOCK_OFF); b < end && bsize(b) > 0; b = next_block(b))
        if (off(b) < o && o < off(b) + bsize(b))
            return off(b);
    return NIL;
}

/* A link must name a block header inside the heap; deep also rules out overlapping blocks. */
static int check_link(const char *what, word_t o, int deep)
{
    if (o < FIRST_BLOCK_OFF || at(o) >= epilogue() || (o + HDR_SIZE) % ALIGNMENT)
        return CHECK_FAIL("%s: link %u points outside the heap's blocks", what, o);
    word_t e = deep ? enclosing_block(o) : NIL;
    if (e != NIL)
        return CHECK_FAIL("%s: block at offset %u lies inside block at offset %u (overlapping "
                          "blocks)", what, o, e);
    return 1;
}

static int check_list_node(unsigned c, word_t o, word_t prev, int deep)
{
    if (!check_link("free list", o, deep))
        return 0;
    char *b = at(o);
    if (is_alloc(b))
        return CHECK_FAIL("free list %u: block at offset %u is allocated", c, o);
    if (bsize(b) < MIN_BLOCK || bsize(b) >= LIST_LIMIT || list_class(bsize(b)) != c)
        return CHECK_FAIL("free list %u: block at offset %u has size %zu, of another class", c, o,
                          bsize(b));
    if (*link_prev(b) != prev)
        return CHECK_FAIL("free list %u: block at offset %u has prev link %u, expected %u", c, o,
                          *link_prev(b), prev);
    return 1;
}

static int check_lists(struct census *cs, int deep)
{
    size_t count = 0;
    uint64_t hash = 0;
    for (unsigned c = 0; c < LIST_CLASSES; c++) {
        if ((list_bits >> c & 1u) != (list_heads[c] != NIL))
            return CHECK_FAIL("free list bitmap bit %u disagrees with list %u", c, c);
        word_t prev = NIL;
        for (word_t o = list_heads[c]; o != NIL; prev = o, o = *link_next(at(o))) {
            if (!check_list_node(c, o, prev, deep))
                return 0;
            if (++count > cs->list_blocks)
                return CHECK_FAIL("free lists hold more blocks than the heap has small free "
                                  "blocks (a cycle, or a stale link to offset %u)", o);
            hash += mix(o);
        }
    }
    if (count != cs->list_blocks || hash != cs->list_hash)
        return CHECK_FAIL("free lists hold %zu blocks, the heap has %zu small free blocks: one "
                          "is missing from its list", count, cs->list_blocks);
    return 1;
}

/* Node o of big list c (BIG_CLASSES: the one list kept before the table exists). */
static int check_big_node(unsigned c, word_t o, word_t prev, int deep)
{
    if (!check_link("big class", o, deep))
        return 0;
    char *b = at(o);
    if (is_alloc(b))
        return CHECK_FAIL("big class %u: block at offset %u is allocated", c, o);
    if (bsize(b) < LIST_LIMIT || (c < BIG_CLASSES && big_class(bsize(b)) != c))
        return CHECK_FAIL("big class %u: block at offset %u has size %zu, of another class", c,
                          o, bsize(b));
    if (*link_prev(b) != prev)
        return CHECK_FAIL("big class %u: block at offset %u has prev link %u, expected %u", c, o,
                          *link_prev(b), prev);
    return 1;
}

/* Walk big list c from o; limit bounds the walk (a cycle or a stale link). */
static int walk_big(unsigned c, word_t o, int deep, size_t limit, size_t *count, uint64_t *hash)
{
    for (word_t prev = NIL; o != NIL; prev = o, o = *link_next(at(o))) {
        if (!check_big_node(c, o, prev, deep))
            return 0;
        if (++*count > limit)
            return CHECK_FAIL("big classes hold more blocks than the heap has big free blocks "
                              "(a cycle, or a stale link to offset %u)", o);
        *hash += mix(o);
    }
    return 1;
}

static int check_table(void)
{
    if (!has_table)
        return big_bits == 0 ? 1 : CHECK_FAIL("big class bitmap %#llx set before the table "
                                               "exists", (unsigned long long)big_bits);
    char *t = block_of(at(big));
    if (!check_link("big class table", off(t), 0) || !is_alloc(t) || is_run(t) ||
        bsize(t) < HDR_SIZE + BIG_CLASSES * 4u)
        return CHECK_FAIL("big class table at offset %u is not an allocated block of its size",
                          off(t));
    for (unsigned c = 0; c < BIG_CLASSES; c++)
        if ((big_bits >> c & 1u) != (big_heads()[c] != NIL))
            return CHECK_FAIL("big class bitmap bit %u disagrees with big class %u (head at "
                              "offset %u)", c, c, big_heads()[c]);
    return 1;
}

static int check_big(struct census *cs, int deep, size_t limit)
{
    size_t count = 0;
    uint64_t hash = 0;
    if (!check_table())
        return 0;
    if (!has_table) {
        if (!walk_big(BIG_CLASSES, big, deep, limit, &count, &hash))
            return 0;
    } else {
        for (unsigned c = 0; c < BIG_CLASSES; c++)
            if (!walk_big(c, big_heads()[c], deep, limit, &count, &hash))
                return 0;
    }
    if (count != cs->tree_blocks || hash != cs->tree_hash)
        return CHECK_FAIL("big classes hold %zu blocks, the heap has %zu big free blocks: one "
                          "is missing from its big class", count, cs->tree_blocks);
    return 1;
}

static int check_tree(struct census *cs, int deep) { return check_big(cs, deep, cs->tree_blocks); }

/* Slow path once a count or hash disagreed: name the node or the free block at fault. */
static int diagnose_free(struct census *cs)
{
    size_t bound = mem_heapsize() / MIN_BLOCK;
    for (unsigned c = 0; c < LIST_CLASSES; c++) {
        word_t prev = NIL, o = list_heads[c];
        for (size_t k = 0; o != NIL && k < bound; k++, prev = o, o = *link_next(at(o)))
            if (!check_list_node(c, o, prev, 1))
                return 0;
    }
    if (!check_table())
        return 0;
    for (unsigned c = 0; c < (has_table ? BIG_CLASSES : 1u); c++) {
        unsigned cls = has_table ? c : BIG_CLASSES;
        word_t prev = NIL, o = has_table ? big_heads()[c] : big;
        for (size_t k = 0; o != NIL && k < bound; k++, prev = o, o = *link_next(at(o)))
            if (!check_big_node(cls, o, prev, 1))
                return 0;
    }
    char *end = epilogue();
    for (char *b = at(FIRST_BLOCK_OFF); b < end; b = next_block(b)) {
        if (is_alloc(b))
            continue;
        word_t o;
        size_t k = 0;
        int small = bsize(b) < LIST_LIMIT;
        o = small ? list_heads[list_class(bsize(b))] : *class_head(bsize(b));
        for (; o != NIL && o != off(b) && k < bound; k++)
            o = *link_next(at(o));
        if (o != off(b))
            return CHECK_FAIL("free block at offset %u (size %zu) is missing from its free "
                              "%s", off(b), bsize(b), small ? "list" : "big class");
    }
    return check_lists(cs, 0) && check_big(cs, 0, bound);
}

static int check_dir(struct census *cs)
{
    int thrash = 0;
    for (unsigned c = 0; c < NSMALL; c++)
        thrash |= thrashing(c);
    if (any_thrash != thrash)
        return CHECK_FAIL("recorded that %s class thrashes, but %s does", any_thrash ? "a" : "no",
                          thrash ? "one" : "none");
    if (dir_off == NIL && map_len != 0)
        return CHECK_FAIL("recorded run map length %u words, but there is no run directory",
                          map_len);
    if (dir_off == NIL)
        return cs->runs == 0 ? 1 : CHECK_FAIL("runs exist but there is no run directory");
    char *d = block_of(at(dir_off));
    if (!check_link("run directory", off(d), 0) || !is_alloc(d) || is_run(d) ||
        bsize(d) < HDR_SIZE + DIR_MAP + MAP_MIN_WORDS * 8u)
        return CHECK_FAIL("run directory at offset %u is not an allocated block of its size",
                          off(d));
    if (map_len != dir_map_words())
        return CHECK_FAIL("recorded run map length %u words, but the run directory's block at "
                          "offset %u holds %u", map_len, off(d), dir_map_words());
    for (unsigned c = 0; c < NSMALL; c++)
        if (run_levels()[c] > RUN_MAX_LEVEL)
            return CHECK_FAIL("run class %u: growth level %u", c, run_levels()[c]);
    return 1;
}

static int check_run_lists(struct census *cs)
{
    size_t count = 0;
    uint64_t hash = 0;
    for (unsigned c = 0; dir_off != NIL && c < NSMALL; c++) {
        word_t prev = NIL;
        for (word_t o = run_heads()[c]; o != NIL; prev = o, o = links(meta(at(o)))->next) {
            char *r = at(o);
            if (!check_link("run list", o, 0) || (o + HDR_SIZE) % RUN_ALIGN || !is_run(r) ||
                !is_alloc(r))
                return CHECK_FAIL("run list %u: offset %u is not a run of the heap", c, o);
            struct run_meta *m = meta(r);
            if (o + bsize(r) > off(epilogue()) ||
                HDR_SIZE + RUN_HOT + (size_t)m->span + RUN_LINKS > bsize(r))
                return CHECK_FAIL("run list %u: run at offset %u: its links lie past its block",
                                  c, o);
            if (!m->free_mask)
                return CHECK_FAIL("run list %u: run at offset %u is listed as having free slots, "
                                  "but its slot bitmap says it is full", c, o);
            if (run_empty(m) && prev != NIL)
                return CHECK_FAIL("run list %u: run at offset %u is empty but does not head its "
                                  "list", c, o);
            if (run_class(m) != c || links(m)->prev != prev)
                return CHECK_FAIL("run list %u: run at offset %u has class %u, prev link %u "
                                  "(expected %u)", c, o, run_class(m), links(m)->prev, prev);
            if (++count > cs->open_runs)
                return CHECK_FAIL("run lists hold more runs than the heap has runs with free "
                                  "slots (a cycle?)");
            hash += mix(o);
        }
    }
    if (count != cs->open_runs || hash != cs->open_hash)
        return CHECK_FAIL("run lists hold %zu runs, the heap has %zu runs with free slots: the "
                          "slot bitmaps and the lists disagree", count, cs->open_runs);
    return 1;
}

/* Every marked map bit must be the start of a run found by the walk. */
static int check_map(struct census *cs)
{
    if (run_count != cs->runs)
        return CHECK_FAIL("recorded run count %u, but the heap has %zu runs (run directory at "
                          "offset %u)", run_count, cs->runs, dir_off);
    if (runs_sparse != runs_are_sparse())
        return CHECK_FAIL("run_of's quick exit is %s, but %u runs for the %u map words of the "
                          "run directory at offset %u are %s", runs_sparse ? "on" : "off",
                          run_count, map_len, dir_off, runs_are_sparse() ? "sparse" : "dense");
    size_t marked = 0;
    for (word_t k = 0; k < map_len; k++)
        marked += (size_t)__builtin_popcountll(run_map()[k]);
    if (marked == cs->runs)
        return 1;
    for (word_t k = 0; k < map_len; k++)
        for (uint64_t bits = run_map()[k]; bits; bits &= bits - 1u) {
            word_t o = (word_t)((k * WORD_BITS + (unsigned)__builtin_ctzll(bits)) * RUN_ALIGN -
                                HDR_SIZE);
            word_t e = enclosing_block(o);
            if (e != NIL)
                return CHECK_FAIL("run map marks offset %u, inside block at offset %u "
                                  "(overlapping blocks)", o, e);
            if (at(o) >= epilogue() || !is_run(at(o)))
                return CHECK_FAIL("run map marks offset %u, where no run starts", o);
        }
    return CHECK_FAIL("run map marks %zu run starts, the heap has %zu runs", marked, cs->runs);
}

/* A pending free at payload offset o that run_of places in run r: one of r's allocated slots. */
static int check_pending_slot(word_t o, char *r)
{
    struct run_meta *m = meta(r);
    size_t d = o - off(slots(r));
    if (d % m->slot != 0 || d / m->slot >= m->nslots || (m->free_mask >> (d / m->slot) & 1u))
        return CHECK_FAIL("pending free at offset %u is no allocated slot of the run at offset "
                          "%u", o, off(r));
    return 1;
}

static void swap_entries(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* Sift e[i] down the max-heap of e's first n entries. */
static void sift_down(uint64_t *e, size_t i, size_t n)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        c += c + 1 < n && e[c + 1] > e[c];
        if (e[i] >= e[c])
            return;
        swap_entries(&e[i], &e[c]);
    }
}

/* Check_pending's n entries in order of offset (the high word), by a heap sort in place: a
 * submission may not call the C library's qsort (tools/grade refuses it). */
static void sort_by_offset(uint64_t *e, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(e, i, n);
    while (n > 1) {
        swap_entries(&e[0], &e[--n]);
        sift_down(e, 0, n);
    }
}

/* The pending-free block's ring and held stacks (see deferred frees): its ring position within
 * its slots and that slot empty, each size's held count within HOLD_DEPTH. Their entries go to
 * e (offset << 32 | held size, or 0 for a waiting free), their number to *n. */
static int collect_pending(char *d, word_t *q, uint64_t *e, word_t *n)
{
    if (q[0] >= DEFER_SLOTS)
        return CHECK_FAIL("pending-free ring at offset %u: position %u past its %u slots",
                          off(d), q[0], DEFER_SLOTS);
    if (*ring_slot(q, q[0]) != NIL)
        return CHECK_FAIL("pending-free ring at offset %u: its next slot %u is taken (%u frees "
                          "would wait, at most %u may)", off(d), q[0], DEFER_SLOTS,
                          DEFER_SLOTS - 1u);
    for (word_t k = 0; k < DEFER_SLOTS; k++)
        if (*ring_slot(q, k) != NIL)
            e[(*n)++] = (uint64_t)*ring_slot(q, k) << 32;
    for (size_t s = MIN_BLOCK; s <= HOLD_MAX; s += ALIGNMENT) {
        word_t *h = held(q, s);
        if (h[0] > HOLD_DEPTH)
            return CHECK_FAIL("pending-free block at offset %u holds %u blocks of %zu bytes, "
                              "past its %u", off(d), h[0], s, HOLD_DEPTH);
        for (word_t k = 1; k <= h[0]; k++)
            e[(*n)++] = (uint64_t)h[k] << 32 | s;
    }
    return 1;
}

/* The n entries of e (see collect_pending), sorted by offset: distinct live payloads, waiting
 * ones allocated slots of runs or the payloads of allocated ordinary blocks other than the
 * allocator's own, held ones the latter only, of their stack's size (found by one walk of the
 * heap, in address order). */
static int check_pending_entries(const uint64_t *e, word_t n)
{
    char *b = at(FIRST_BLOCK_OFF);
    for (word_t k = 0; k < n; k++) {
        word_t o = (word_t)(e[k] >> 32), want = (word_t)e[k];
        if ((k > 0 && o == (word_t)(e[k - 1] >> 32)) || o % ALIGNMENT != 0 ||
            o < FIRST_BLOCK_OFF + HDR_SIZE || o >= heap_size || o == big || o == dir_off ||
            o == defer_off)
            return CHECK_FAIL("pending free at offset %u is twice in the ring or the held "
                              "stacks, outside the heap, misaligned or the allocator's own "
                              "block", o);
        char *r = run_of(at(o));
        if (r && want)
            return CHECK_FAIL("held block at offset %u is a slot of the run at offset %u", o,
                              off(r));
        if (r) {
            if (!check_pending_slot(o, r))
                return 0;
            continue;
        }
        while (b < epilogue() && off(payload(b)) < o)
            b = next_block(b);
        if (b >= epilogue() || off(payload(b)) != o || !is_alloc(b) || is_run(b))
            return CHECK_FAIL("pending free at offset %u is not the payload of an allocated "
                              "block", o);
        if (want && bsize(b) != want)
            return CHECK_FAIL("held block at offset %u has %zu bytes, in the stack of %u", o,
                              bsize(b), want);
    }
    return 1;
}

/* The pending-free block (see deferred frees): an allocated ordinary block, its ring and held
 * stacks sound, and no entry in them below DEFER_AT. */
static int check_pending(void)
{
    if (defer_off == NIL)
        return 1;
    char *d = block_of(at(defer_off));
    if (!check_link("pending-free block", off(d), 0) || !is_alloc(d) || is_run(d) ||
        bsize(d) < HDR_SIZE + DEFER_BYTES)
        return CHECK_FAIL("pending-free block at offset %u is not an allocated block of its "
                          "size", off(d));
    uint64_t e[DEFER_SLOTS + HOLD_CLASSES * HOLD_DEPTH];
    word_t n = 0;
    if (!collect_pending(d, pending(), e, &n))
        return 0;
    if (n && heap_size < DEFER_AT)
        return CHECK_FAIL("%u frees pending in a heap of %u bytes, below DEFER_AT", n,
                          heap_size);
    sort_by_offset(e, n); /* to walk the heap once */
    return check_pending_entries(e, n);
}

/* Nonzero iff every invariant holds; with verbose set, says which broke and where, or what it
 * saw. */
/* The heap's frame: initialised, padding words zero, its recorded size memlib's, the own
 * blocks' offsets inside it, a sound epilogue. */
static int check_frame(void)
{
    if (!heap || mem_heapsize() < FIRST_BLOCK_OFF + HDR_SIZE)
        return CHECK_FAIL("heap not initialised");
    for (word_t o = 0; o + 4u <= FIRST_BLOCK_OFF; o += 4u)
        if (hdr(at(o)) != 0)
            return CHECK_FAIL("padding word at offset %u is %u, not 0 (run_of reads the one at "
                              "0 as the slot span of no run, low_first them as NIL links)", o,
                              hdr(at(o)));
    if (heap_size != mem_heapsize())
        return CHECK_FAIL("recorded heap size %u (epilogue at offset %u), but the heap has %zu "
                          "bytes", heap_size, off(epilogue()), mem_heapsize());
    if (dir_off != NIL && (dir_off < FIRST_BLOCK_OFF + HDR_SIZE || dir_off >= heap_size))
        return CHECK_FAIL("run directory offset %u outside the heap", dir_off);
    if (defer_off != NIL && (defer_off < FIRST_BLOCK_OFF + HDR_SIZE || defer_off >= heap_size))
        return CHECK_FAIL("pending-free block offset %u outside the heap", defer_off);
    char *end = epilogue();
    if (bsize(end) != 0 || !is_alloc(end))
        return CHECK_FAIL("epilogue at offset %u is not a 0-size allocated header", off(end));
    return 1;
}

/* Every block in address order (check_block), tiling the heap up to the epilogue, whose
 * PREV_ALLOC bit tells the last block right; what the walk saw goes to *cs. */
static int check_walk(struct census *cs)
{
    memset(cs, 0, sizeof *cs);
    char *end = epilogue(), *b = at(FIRST_BLOCK_OFF);
    int prev_free = 0;
    for (; b < end; b = next_block(b)) {
        if (!check_block(b, end, prev_free, cs))
            return 0;
        prev_free = !is_alloc(b);
    }
    if (b != end)
        return CHECK_FAIL("blocks do not tile the heap: walk ends at offset %u, epilogue at %u",
                          off(b), off(end));
    if ((prev_alloc(end) == 0) != prev_free)
        return CHECK_FAIL("epilogue at offset %u: PREV_ALLOC bit says the last block is %s, "
                          "but it is %s", off(end), prev_alloc(end) ? "allocated" : "free",
                          prev_free ? "free" : "allocated");
    return 1;
}

/* The states kept in globals: when the big class table is due, the shrink level. */
static int check_states(const struct census *cs)
{
    if (table_at != TABLE_NEVER && table_at != TABLE_AT && table_at != TABLE_TOP_AT)
        return CHECK_FAIL("table due at heap size %u, none of TABLE_AT, TABLE_TOP_AT and "
                          "TABLE_NEVER", table_at);
    if (table_at == TABLE_TOP_AT && cs->largest_free >= TABLE_NEED)
        return CHECK_FAIL("free block at offset %u (%zu bytes) fits the big class table, but "
                          "the table is not retried", cs->largest_off, cs->largest_free);
    if ((shrink_level & ~SHRUNK) > SHRINK_MAX_LEVEL)
        return CHECK_FAIL("shrink level %u past its maximum %u", shrink_level & ~SHRUNK,
                          SHRINK_MAX_LEVEL);
    return 1;
}

int mm_check(int verbose)
{
    check_quiet = !verbose;
    struct census cs;
    if (!check_frame() || !check_walk(&cs) || !check_states(&cs))
        return 0;
    check_quiet = 1;
    int lists_ok = check_lists(&cs, 0) && check_tree(&cs, 0);
    check_quiet = !verbose;
    if (!lists_ok)
        return diagnose_free(&cs) && 0;
    if (!check_dir(&cs) || !check_run_lists(&cs) || !check_map(&cs) || !check_pending())
        return 0;
    if (verbose)
        fprintf(stderr, "mm_check: ok: heap %zu bytes, %zu + %zu free blocks, %zu runs\n",
                mem_heapsize(), cs.list_blocks, cs.tree_blocks, cs.runs);
    return 1;
}
