// Read and write buffers for the MQTT loop thread's broker socket, and libmosquitto's muted wake-up
// pair (socket_buffer.c).
#ifndef ANXIN_CSOCKETBUFFER_H
#define ANXIN_CSOCKETBUFFER_H

#include <stddef.h>
#include <stdint.h>

/// Buffers the calling thread's reads and writes of `fd` from now on. Whatever the thread still held
/// for the descriptor it had attached is sent first (as far as the kernel takes it); what it had read
/// ahead is dropped. -1 stops buffering and frees the buffers.
void anxin_socket_buffer_attach(int fd);

/// Bytes the calling thread's read buffer holds: read from the kernel, not yet asked for.
size_t anxin_read_buffer_pending(void);

/// Bytes the calling thread wrote to its attached socket that are not sent yet.
size_t anxin_write_buffer_held(void);

/// Sends what the calling thread holds for its attached socket. 0 once all is sent; -1 with errno
/// otherwise: EAGAIN when the kernel's buffer is full (the rest stays held: wait for POLLOUT and call
/// again), another error when the connection is broken (what was held is dropped).
int anxin_write_buffer_flush(void);

/// Reads of a buffered socket since start: all of them, and those that went to the kernel.
uint64_t anxin_read_buffer_reads(void);
uint64_t anxin_read_buffer_kernel_reads(void);

/// Writes to a buffered socket since start: all of them, and the kernel writes that sent them.
uint64_t anxin_write_buffer_writes(void);
uint64_t anxin_write_buffer_kernel_writes(void);

/// While on (1), the writing end of the last socket pair the calling thread creates is remembered
/// (`anxin_wake_pair_watched`, -1 when none): around `mosquitto_new`, it is libmosquitto's wake-up pair.
void anxin_wake_pair_watch(int on);
int anxin_wake_pair_watched(void);

/// One-byte writes to `fd` (on any thread) return 1 at once without a system call, until `fd` is closed.
/// For the wake-up pair of a client never driven by `mosquitto_loop`. 0, or -1 when no slot is free.
int anxin_wake_pair_mute(int fd);

/// Writes muted since start.
uint64_t anxin_wake_pair_muted_writes(void);

#endif
