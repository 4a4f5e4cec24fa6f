// libmosquitto reads each incoming packet with three or more read() calls on the broker socket: a
// byte of packet type, a byte at a time of remaining length, then the rest. At tens of thousands of
// messages a second those system calls are a third of the MQTT loop thread's time.
//
// This file defines `read` for the whole process, so libmosquitto's calls land here, and serves the
// socket the MQTT loop thread attached (`anxin_read_buffer_attach`) from a 64 KiB buffer filled by
// one kernel read at a time. Every other call, on any other descriptor or thread, goes straight to
// the kernel, exactly as glibc's read would (the attachment is thread-local, so no other thread can
// ever be served from the buffer, even if a closed socket's number is reused).
//
// The loop thread must not wait in poll() while the buffer holds bytes (`anxin_read_buffer_pending`):
// the kernel no longer has them to report.
#define _GNU_SOURCE
#include "CReadBuffer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { capacity = 64 * 1024 };

static __thread int attached = -1;
static __thread unsigned char *buffer;
static __thread size_t start, end;

static _Atomic uint64_t reads, kernelReads;

static ssize_t kernel_read(int fd, void *buf, size_t count) { return syscall(SYS_read, fd, buf, count); }

ssize_t read(int fd, void *buf, size_t count) {
    if (fd != attached || fd < 0) return kernel_read(fd, buf, count);
    atomic_fetch_add_explicit(&reads, 1, memory_order_relaxed);
    if (count == 0) return 0;
    if (start == end) {
        start = end = 0;
        atomic_fetch_add_explicit(&kernelReads, 1, memory_order_relaxed);
        if (count >= capacity) return kernel_read(fd, buf, count);
        ssize_t n = kernel_read(fd, buffer, capacity);
        if (n <= 0) return n;  // errno as the kernel set it (EAGAIN, ECONNRESET…), or end of stream
        end = (size_t)n;
    }
    size_t n = end - start < count ? end - start : count;
    memcpy(buf, buffer + start, n);
    start += n;
    return (ssize_t)n;
}

void anxin_read_buffer_attach(int fd) {
    start = end = 0;
    if (fd < 0) {
        // Detached (the connection ended, the loop stops): the buffer goes with it.
        free(buffer);
        buffer = NULL;
    } else if (buffer == NULL) {
        buffer = malloc(capacity);
    }
    attached = buffer == NULL ? -1 : fd;
}

size_t anxin_read_buffer_pending(void) { return end - start; }

uint64_t anxin_read_buffer_reads(void) { return atomic_load_explicit(&reads, memory_order_relaxed); }

uint64_t anxin_read_buffer_kernel_reads(void) { return atomic_load_explicit(&kernelReads, memory_order_relaxed); }
