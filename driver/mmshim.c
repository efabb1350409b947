/* driver/mmshim.c: wraps the allocator built into mdriver (MM=...) as a struct allocator.
 *
 * Compiled with the allocator's own style flags (-DMM_CMU for CMU-lab code), so the calls
 * below use the prototypes the allocator was written against (-DMM_CHECK_VOID: a heap checker
 * without the verbose flag, as the original lab's handout has it; -DMM_CHECK_STATIC: a static
 * one, which the driver cannot call; -DMM_CHECK_NORESULT: a void one; -DMM_CHECKHEAP_VOID:
 * the 2015 CMU lab's void mm_checkheap, and -DMM_CHECKHEAP_VERBOSE the textbook's). The
 * optional entry points are weak: a submission that lacks them still links, and the driver
 * sees NULL. */
#include "driver/allocator.h"
#include "mm.h"

/* CMU-style mm.h renames malloc & co. to mm_* under DRIVER; the field names below must not be. */
#undef malloc
#undef free
#undef realloc
#undef calloc

#ifdef MM_CHECK_STATIC
int mm_check(int verbose); /* mm.c's is static, out of reach: the weak reference stays NULL */
#elif defined MM_CHECK_NORESULT
/* One with no result tells of a bad heap by printing or exiting, as the 2015 CMU lab's
 * mm_checkheap does; with a verbose flag, it is called quiet. */
#ifdef MM_CHECK_VOID
void mm_check(void);
#define CHECK_NORESULT_CALL mm_check()
#else
void mm_check(int verbose);
#define CHECK_NORESULT_CALL mm_check(0)
#endif
#elif defined MM_CHECK_VOID
int mm_check(void); /* the original lab's handout's checker, which mm.h leaves undeclared */
#endif
#ifdef MM_CHECKHEAP_VOID
void mm_checkheap(int lineno); /* the 2015 CMU lab's: it tells of a bad heap by printing or
                                * exiting, and has no result */
#endif
#ifdef MM_CHECKHEAP_VERBOSE
#define CHECKHEAP_ARG 0 /* the textbook's mm_checkheap(int verbose): quiet, it prints only what is
                         * wrong; given a line number, it would print every block */
#else
#define CHECKHEAP_ARG line
#endif

#pragma weak mm_calloc
#pragma weak team
#if defined MM_CMU || defined MM_CHECKHEAP_VOID
#pragma weak mm_checkheap
#define MM_CHECKER mm_checkheap
#else
#pragma weak mm_check
#define MM_CHECKER mm_check
#endif
#if defined MM_CMU || defined MM_CHECK_VOID || defined MM_CHECK_NORESULT || \
    defined MM_CHECKHEAP_VOID
#define MM_CHECK_VERBOSE 0
#else
#define MM_CHECK_VERBOSE 1
#endif

static int shim_init(void)
{
#ifdef MM_CMU
    return mm_init() ? 0 : -1;
#else
    return mm_init() < 0 ? -1 : 0;
#endif
}

static int shim_check(int verbose, int line)
{
    (void)verbose, (void)line;
#ifdef MM_CMU
    return mm_checkheap(line);
#elif defined MM_CHECKHEAP_VOID
    mm_checkheap(CHECKHEAP_ARG);
    return 1;
#elif defined MM_CHECK_STATIC
    return mm_check(verbose); /* never called: the weak reference is NULL */
#elif defined MM_CHECK_NORESULT
    CHECK_NORESULT_CALL;
    return 1;
#elif defined MM_CHECK_VOID
    return mm_check();
#else
    return mm_check(verbose);
#endif
}

/* The built-in allocator; its check is NULL when the submission has no heap checker. */
const struct allocator *mm_builtin(void)
{
    static struct allocator a = {
        .name = "mm",
        .simulated = 1,
        .init = shim_init,
        .malloc = mm_malloc,
        .free = mm_free,
        .realloc = mm_realloc,
        .calloc = mm_calloc,
        .check_verbose = MM_CHECK_VERBOSE,
    };
    a.check = MM_CHECKER ? shim_check : 0;
    return &a;
}

/* The original lab's team record, or NULL when the submission has none. */
const team_t *mm_team(void)
{
    return &team ? &team : 0;
}
