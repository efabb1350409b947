/* driver/shadow.c: the granule bitmap of live blocks (see shadow.h).
 *
 * Address space is cut in chunks of CHUNK_BYTES; a chunk's bitmap is found through an
 * open-addressing hash table keyed by chunk number. Bitmaps are carved from mmap'ed slabs and
 * kept until shadow_delete; shadow_clear zeroes the ones in use. */
#include "driver/shadow.h"

#include <string.h>
#include <sys/mman.h>

#include "config.h"

#define CHUNK_SHIFT 16
#define CHUNK_BYTES ((uintptr_t)1 << CHUNK_SHIFT)
#define GRANULES (CHUNK_BYTES / ALIGNMENT)
#define WORD_BITS 64
#define CHUNK_WORDS (GRANULES / WORD_BITS)
#define SLAB_CHUNKS 1024 /* bitmaps per mmap'ed slab */
#define INITIAL_SLOTS 1024 /* hash slots; doubled when half full */
#define EMPTY UINTPTR_MAX
#define HASH_MULT 0x9e3779b97f4a7c15ULL

struct slot {
    uintptr_t chunk; /* EMPTY when free */
    uint64_t *bits;
};

struct slab {
    struct slab *next;
    size_t used;
    uint64_t bits[SLAB_CHUNKS][CHUNK_WORDS];
};

struct shadow {
    struct slot *slot;
    size_t nslots, used;
    struct slab *slabs;
};

static void *map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static struct slot *new_table(size_t n)
{
    struct slot *t = map(n * sizeof *t);
    if (t)
        for (size_t i = 0; i < n; i++)
            t[i].chunk = EMPTY;
    return t;
}

struct shadow *shadow_new(void)
{
    struct shadow *s = map(sizeof *s);
    if (!s)
        return NULL;
    s->nslots = INITIAL_SLOTS;
    if (!(s->slot = new_table(s->nslots))) {
        munmap(s, sizeof *s);
        return NULL;
    }
    return s;
}

void shadow_delete(struct shadow *s)
{
    if (!s)
        return;
    for (struct slab *b = s->slabs, *next; b; b = next) {
        next = b->next;
        munmap(b, sizeof *b);
    }
    munmap(s->slot, s->nslots * sizeof *s->slot);
    munmap(s, sizeof *s);
}

void shadow_clear(struct shadow *s)
{
    for (struct slab *b = s->slabs; b; b = b->next)
        memset(b->bits, 0, b->used * sizeof b->bits[0]);
}

static size_t home(uintptr_t chunk, size_t nslots)
{
    return (size_t)((chunk * HASH_MULT) >> 32) & (nslots - 1);
}

static struct slot *find(struct slot *t, size_t nslots, uintptr_t chunk)
{
    size_t i = home(chunk, nslots);
    while (t[i].chunk != chunk && t[i].chunk != EMPTY)
        i = (i + 1) & (nslots - 1);
    return &t[i];
}

static int grow(struct shadow *s)
{
    size_t n = 2 * s->nslots;
    struct slot *t = new_table(n);
    if (!t)
        return -1;
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slot[i].chunk != EMPTY)
            *find(t, n, s->slot[i].chunk) = s->slot[i];
    munmap(s->slot, s->nslots * sizeof *s->slot);
    s->slot = t;
    s->nslots = n;
    return 0;
}

static uint64_t *new_bitmap(struct shadow *s)
{
    if (!s->slabs || s->slabs->used == SLAB_CHUNKS) {
        struct slab *b = map(sizeof *b);
        if (!b)
            return NULL;
        b->next = s->slabs;
        s->slabs = b;
    }
    return s->slabs->bits[s->slabs->used++];
}

/* The chunk's bitmap; NULL when it has none (and create is 0) or out of memory. */
static uint64_t *bitmap(struct shadow *s, uintptr_t chunk, int create)
{
    struct slot *e = find(s->slot, s->nslots, chunk);
    if (e->chunk != EMPTY || !create)
        return e->bits;
    if (2 * (s->used + 1) > s->nslots) {
        if (grow(s) != 0)
            return NULL;
        e = find(s->slot, s->nslots, chunk);
    }
    if (!(e->bits = new_bitmap(s)))
        return NULL;
    e->chunk = chunk;
    s->used++;
    return e->bits;
}

/* Mask of granules [g0, g1) within the word holding granule g0 (g1 - g0 <= 64 - g0 % 64). */
static uint64_t span_mask(size_t g0, size_t g1)
{
    size_t a = g0 % WORD_BITS, n = g1 - g0;
    uint64_t m = n == WORD_BITS ? ~0ULL : ((1ULL << n) - 1);
    return m << a;
}

enum visit { TEST, SET, UNSET };

/* Applies v to granules [g0, g1) of one chunk's bitmap; TEST returns 1 when one is set. */
static int visit_chunk(uint64_t *bits, size_t g0, size_t g1, enum visit v)
{
    while (g0 < g1) {
        size_t end = (g0 / WORD_BITS + 1) * WORD_BITS;
        if (end > g1)
            end = g1;
        uint64_t m = span_mask(g0, end);
        uint64_t *w = &bits[g0 / WORD_BITS];
        if (v == TEST && (*w & m))
            return 1;
        if (v == SET)
            *w |= m;
        else if (v == UNSET)
            *w &= ~m;
        g0 = end;
    }
    return 0;
}

/* Walks the chunks of [lo, hi); returns 1 (TEST found a mark) or -1 (out of memory). */
static int visit(struct shadow *s, uintptr_t lo, uintptr_t hi, enum visit v)
{
    uintptr_t first = lo / ALIGNMENT, last = (hi - 1) / ALIGNMENT; /* granules, inclusive */
    for (uintptr_t g = first; g <= last;) {
        uintptr_t chunk = g / GRANULES, chunk_end = (chunk + 1) * GRANULES;
        uintptr_t stop = last + 1 < chunk_end ? last + 1 : chunk_end;
        uint64_t *bits = bitmap(s, chunk, v == SET);
        if (!bits && v == SET)
            return -1;
        if (bits && visit_chunk(bits, g % GRANULES, g % GRANULES + (stop - g), v))
            return 1;
        g = stop;
    }
    return 0;
}

int shadow_claim(struct shadow *s, uintptr_t lo, uintptr_t hi)
{
    uintptr_t first = lo / ALIGNMENT, last = (hi - 1) / ALIGNMENT;
    if (first / GRANULES == last / GRANULES) { /* the common case: one chunk, one lookup */
        uint64_t *bits = bitmap(s, first / GRANULES, 1);
        if (!bits)
            return -1;
        size_t g0 = first % GRANULES, g1 = last % GRANULES + 1;
        if (visit_chunk(bits, g0, g1, TEST))
            return 1;
        visit_chunk(bits, g0, g1, SET);
        return 0;
    }
    if (visit(s, lo, hi, TEST))
        return 1;
    return visit(s, lo, hi, SET) < 0 ? -1 : 0;
}

void shadow_release(struct shadow *s, uintptr_t lo, uintptr_t hi)
{
    visit(s, lo, hi, UNSET);
}

int shadow_any(struct shadow *s, uintptr_t lo, uintptr_t hi)
{
    return visit(s, lo, hi, TEST) == 1;
}
