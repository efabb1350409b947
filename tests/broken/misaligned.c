/*
 * misaligned.c: FAULT: rounds block sizes up to 8 bytes instead of 16, so once a request that is
 * not a multiple of 16 has been served, the next payload is only 8-byte aligned.
 * traces/misaligned.rep: op 2 (line 7) gets a misaligned payload ("not aligned").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define ALIGN_TO 8 /* the fault: 8, not 16 */
#include "base.h"
