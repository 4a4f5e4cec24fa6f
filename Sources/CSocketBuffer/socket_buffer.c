// Buffers for the MQTT loop thread's broker socket, in both directions.
//
// Reads: libmosquitto reads each incoming packet with three or more read() calls on the broker
// socket: a byte of packet type, a byte at a time of remaining length, then the rest. At tens of
// thousands of messages a second those system calls were a third of the MQTT loop thread's time.
//
// Writes: libmosquitto writes each QoS 1 message's acknowledgement (PUBACK, 4 bytes) with its own
// write() as it reads the message. Each took the whole TCP send path, and they were near half of the
// loop thread's time. They are now held and sent together, once per burst of reads.
//
// This file defines `read`, `write` and `close` for the whole process, so libmosquitto's calls land
// here. The socket the MQTT loop thread attached (`anxin_socket_buffer_attach`) is read through a
// 64 KiB buffer filled by one kernel read at a time, and written into a 64 KiB buffer the thread sends
// with `anxin_write_buffer_flush`. Every other call, on any other descriptor or thread, goes straight
// to the kernel, exactly as glibc's would (the attachment is thread-local, so no other thread is ever
// served from or written into the buffers, even if a closed socket's number is reused).
//
// The loop thread must not wait in poll() while the read buffer holds bytes
// (`anxin_read_buffer_pending`): the kernel no longer has them to report. It must flush what it wrote
// before it waits, and wait for POLLOUT while bytes stay held (`anxin_write_buffer_held`).
//
// Closing the attached socket (libmosquitto does it on the loop thread, after a DISCONNECT or an error)
// first sends what is held, as far as the kernel takes it, then detaches, so nothing is ever sent to
// another descriptor that gets the number.
//
// Wake-up pair: with every packet it queues, libmosquitto also writes a byte to a socket pair of its
// own, to wake `mosquitto_loop` from its select(). The gateway never calls `mosquitto_loop` on its
// ingest client (it polls the socket itself), so nobody reads the pair: once full, each of those
// writes failed with EAGAIN, a system call per message for nothing. The pair's writing end is learned
// while the client is made (`anxin_wake_pair_watch`, this file's `socketpair`) and muted
// (`anxin_wake_pair_mute`): its one-byte writes return at once, as if made. Closing it unmutes it first,
// so a descriptor given the number later is written as usual.
#define _GNU_SOURCE
#include "CSocketBuffer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { capacity = 64 * 1024 };

static __thread int attached = -1;
static __thread unsigned char *buffer;
static __thread size_t start, end;
static __thread unsigned char *outgoing;
static __thread size_t held;

static _Atomic uint64_t reads, kernelReads, writes, kernelWrites, mutedWrites;

enum { mutedSlots = 8 };
static _Atomic int muted[mutedSlots] = {-1, -1, -1, -1, -1, -1, -1, -1};
static _Atomic int anyMuted;
static __thread int watching;
static __thread int watchedPair = -1;

static int is_muted(int fd) {
    for (int i = 0; i < mutedSlots; i++) {
        if (atomic_load_explicit(&muted[i], memory_order_acquire) == fd) return 1;
    }
    return 0;
}

static ssize_t kernel_read(int fd, void *buf, size_t count) { return syscall(SYS_read, fd, buf, count); }

static ssize_t kernel_write(int fd, const void *buf, size_t count) { return syscall(SYS_write, fd, buf, count); }

// The attached descriptor is always a socket: MSG_NOSIGNAL makes a reset connection an EPIPE error,
// never a SIGPIPE.
static ssize_t kernel_send(int fd, const void *buf, size_t count) {
    return syscall(SYS_sendto, fd, buf, count, MSG_NOSIGNAL, NULL, 0);
}

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

int anxin_write_buffer_flush(void) {
    if (attached < 0 || held == 0) return 0;
    size_t sent = 0;
    int failure = 0;
    while (sent < held) {
        atomic_fetch_add_explicit(&kernelWrites, 1, memory_order_relaxed);
        ssize_t n = kernel_send(attached, outgoing + sent, held - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            failure = n < 0 ? errno : EAGAIN;
            break;
        }
        sent += (size_t)n;
    }
    if (failure != 0 && failure != EAGAIN && failure != EWOULDBLOCK) {
        // The connection is broken (EPIPE, ECONNRESET…): what is held can never arrive. libmosquitto
        // learns of it from its next read or write.
        held = 0;
    } else if (sent > 0) {
        memmove(outgoing, outgoing + sent, held - sent);
        held -= sent;
    }
    if (failure == 0) return 0;
    errno = failure;
    return -1;
}

ssize_t write(int fd, const void *buf, size_t count) {
    if (fd != attached || fd < 0) {
        if (count == 1 && fd >= 0 && atomic_load_explicit(&anyMuted, memory_order_relaxed) && is_muted(fd)) {
            atomic_fetch_add_explicit(&mutedWrites, 1, memory_order_relaxed);
            return 1;
        }
        return kernel_write(fd, buf, count);
    }
    atomic_fetch_add_explicit(&writes, 1, memory_order_relaxed);
    if (count > capacity - held) {
        if (anxin_write_buffer_flush() != 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (held == 0 && count >= capacity) {
            // Larger than the buffer, and nothing held to go before it: straight to the kernel.
            atomic_fetch_add_explicit(&kernelWrites, 1, memory_order_relaxed);
            return kernel_send(fd, buf, count);
        }
        size_t room = capacity - held;
        if (room == 0) {
            // The kernel takes nothing and the buffer is full: as a full socket answers. libmosquitto
            // keeps the packet and writes it again once poll reports POLLOUT.
            errno = EAGAIN;
            return -1;
        }
        if (count > room) count = room;  // a partial write, as the kernel makes when its buffer fills
    }
    memcpy(outgoing + held, buf, count);
    held += count;
    return (ssize_t)count;
}

int close(int fd) {
    if (fd >= 0 && atomic_load_explicit(&anyMuted, memory_order_relaxed)) {
        for (int i = 0; i < mutedSlots; i++) {
            int expected = fd;
            atomic_compare_exchange_strong(&muted[i], &expected, -1);
        }
    }
    if (fd >= 0 && fd == attached) {
        // What libmosquitto wrote last (a DISCONNECT before it closes) goes out first.
        (void)anxin_write_buffer_flush();
        held = 0;
        start = end = 0;
        attached = -1;
    }
    return (int)syscall(SYS_close, fd);
}

int socketpair(int domain, int type, int protocol, int sv[2]) {
    int rc = (int)syscall(SYS_socketpair, domain, type, protocol, sv);
    if (rc == 0 && watching) watchedPair = sv[1];
    return rc;
}

void anxin_wake_pair_watch(int on) {
    watching = on;
    if (on) watchedPair = -1;
}

int anxin_wake_pair_watched(void) { return watchedPair; }

int anxin_wake_pair_mute(int fd) {
    if (fd < 0) return -1;
    for (int i = 0; i < mutedSlots; i++) {
        int expected = -1;
        if (atomic_compare_exchange_strong(&muted[i], &expected, fd)) {
            atomic_store_explicit(&anyMuted, 1, memory_order_release);
            return 0;
        }
    }
    return -1;  // every slot taken: the pair is written as before
}

uint64_t anxin_wake_pair_muted_writes(void) { return atomic_load_explicit(&mutedWrites, memory_order_relaxed); }

void anxin_socket_buffer_attach(int fd) {
    // Still attached, so still open (closing detaches): what is held goes out before the descriptor
    // is let go.
    (void)anxin_write_buffer_flush();
    start = end = 0;
    held = 0;
    if (fd < 0) {
        // Detached (the connection ended, the loop stops): the buffers go with it.
        free(buffer);
        free(outgoing);
        buffer = NULL;
        outgoing = NULL;
    } else {
        if (buffer == NULL) buffer = malloc(capacity);
        if (outgoing == NULL) outgoing = malloc(capacity);
    }
    attached = buffer == NULL || outgoing == NULL ? -1 : fd;
}

size_t anxin_read_buffer_pending(void) { return end - start; }

size_t anxin_write_buffer_held(void) { return attached < 0 ? 0 : held; }

uint64_t anxin_read_buffer_reads(void) { return atomic_load_explicit(&reads, memory_order_relaxed); }

uint64_t anxin_read_buffer_kernel_reads(void) { return atomic_load_explicit(&kernelReads, memory_order_relaxed); }

uint64_t anxin_write_buffer_writes(void) { return atomic_load_explicit(&writes, memory_order_relaxed); }

uint64_t anxin_write_buffer_kernel_writes(void) { return atomic_load_explicit(&kernelWrites, memory_order_relaxed); }
