/*
 * close_fds.c: FAULT: mm_free's first call closes every file descriptor from 3 up, the driver's
 * pipe for the child's result among them.
 * traces/close_fds.rep: the trace ends normally, and the result never reaches the driver.
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include <unistd.h>

#define OWN_FREE
#include "base.h"

#define FD_LIMIT 1024

void mm_free(void *bp)
{
    (void)bp;
    static int closed;
    if (!closed++)
        for (int fd = 3; fd < FD_LIMIT; fd++) /* the fault */
            close(fd);
}
