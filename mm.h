/* mm.h: the interface every allocator of the lab implements.
 *
 * The driver needs mm_init, mm_malloc, mm_free and mm_realloc; mm_calloc and the heap checker
 * (mm_check, or mm_checkheap for CMU-style code) are optional. Submissions written for the CMU
 * lab (bool mm_init, malloc/free/... renamed under DRIVER) are built with -DMM_CMU, which the
 * Makefile sets when it sees `bool mm_init` in the source; those written for the original lab's
 * handout, whose heap checker is `int mm_check(void)`, with -DMM_CHECK_VOID; those whose
 * mm_check is static, with -DMM_CHECK_STATIC; one with no result, with -DMM_CHECK_NORESULT. */
#ifndef MM_H
#define MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef MM_CMU
#ifdef DRIVER
#define malloc mm_malloc
#define free mm_free
#define realloc mm_realloc
#define calloc mm_calloc
#define memset mem_memset
#define memcpy mem_memcpy
#endif
bool mm_init(void);
void *malloc(size_t size);
void free(void *ptr);
void *realloc(void *ptr, size_t size);
void *calloc(size_t nmemb, size_t size);
bool mm_checkheap(int lineno);
#else
int mm_init(void);
void *mm_malloc(size_t size);
void mm_free(void *ptr);
void *mm_realloc(void *ptr, size_t size);
void *mm_calloc(size_t nmemb, size_t size);
/* the original lab's handout's `int mm_check(void)`, a static one, or one with no result:
 * left to mm.c */
#if !defined MM_CHECK_VOID && !defined MM_CHECK_STATIC && !defined MM_CHECK_NORESULT
int mm_check(int verbose);
#endif
#endif

/* The original lab's team record: submissions that define it still build; the driver
 * prints it when present. */
typedef struct {
    char *teamname;
    char *name1, *id1;
    char *name2, *id2;
} team_t;
extern team_t team;

#endif
