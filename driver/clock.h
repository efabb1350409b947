/* driver/clock.h: seconds on a clock, as a double (timeouts, timed replays, CPU cost). */
#ifndef DRIVER_CLOCK_H
#define DRIVER_CLOCK_H

#include <time.h>

static inline double clock_secs(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
