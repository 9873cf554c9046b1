#define _GNU_SOURCE
#include "CSiltaSys.h"

#include <errno.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/types.h>
#endif

long silta_copy_file_range(int in, long long *in_offset, int out, size_t length) {
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 27))
    loff_t offset = (loff_t)*in_offset;
    ssize_t n = copy_file_range(in, &offset, out, NULL, length, 0);
    *in_offset = (long long)offset;
    return (long)n;
#else
    (void)in;
    (void)in_offset;
    (void)out;
    (void)length;
    errno = ENOSYS;
    return -1;
#endif
}
