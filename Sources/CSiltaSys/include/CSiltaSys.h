// CSiltaSys: the Linux system calls Swift's Glibc module leaves out,
// because glibc declares them only under _GNU_SOURCE.
#ifndef SILTA_CSYS_H
#define SILTA_CSYS_H

#include <stddef.h>

/// `copy_file_range(2)`: copies `length` bytes from `in` at `*in_offset`
/// (which it advances) to `out` at its file offset, inside the kernel.
/// Returns the bytes copied (0 at the end of `in`), or -1 with `errno` set;
/// where the system has no such call, -1 with `errno` ENOSYS.
long silta_copy_file_range(int in, long long *in_offset, int out, size_t length);

#endif
