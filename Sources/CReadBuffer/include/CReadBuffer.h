// A read buffer for the MQTT loop thread's socket (read_buffer.c).
#ifndef ANXIN_CREADBUFFER_H
#define ANXIN_CREADBUFFER_H

#include <stddef.h>
#include <stdint.h>

/// Buffers the calling thread's reads of `fd` from now on, dropping whatever was buffered; -1 stops
/// buffering and frees the buffer.
void anxin_read_buffer_attach(int fd);

/// Bytes the calling thread's buffer holds: read from the kernel, not yet asked for.
size_t anxin_read_buffer_pending(void);

/// Reads of a buffered socket since start: all of them, and those that went to the kernel.
uint64_t anxin_read_buffer_reads(void);
uint64_t anxin_read_buffer_kernel_reads(void);

#endif
