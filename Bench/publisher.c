/* Anxin benchmark load publisher (libmosquitto, one connection, our own non-threaded loop).
 *
 * Replays a mix of every device shape of Tests/Fixtures/devices from N distinct devices (ids
 * as Bench/make-registry.py binds them), round-robin over the devices, at a fixed rate or as
 * fast as the broker takes them. QoS 1: at most --inflight messages are unacknowledged at a
 * time; PUBACKs are counted in on_publish. QoS 0: on_publish fires once the packet is written
 * to the socket ("sent"); socket back-pressure (mosquitto_want_write) holds publishing.
 *
 *   publisher [--host H] [--port P] [--qos 0|1] [--rate MSG_S (0 = full)] [--duration S | --count N]
 *             [--devices N] [--prefix P] [--inflight N] [--emergency-ppm N] [--seed N]
 *             [--client-id ID] [--samples DIR]
 *
 * --samples DIR writes one file per shape (first line topic, rest payload) and publishes nothing.
 * Last line on stdout: "RESULT published=… acked=… seconds=… rate=… qos=… devices=… cpu=…" (acked: PUBACKs
 * at QoS 1, packets written at QoS 0; seconds: from the connection to the last publish; cpu: the
 * publisher's own user + system seconds). */
#define _GNU_SOURCE
#include "shapes.h"

#include <errno.h>
#include <getopt.h>
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static unsigned long long acked;
static int connected, connect_failed;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void on_connect(struct mosquitto *m, void *u, int rc) {
    (void)m; (void)u;
    if (rc == 0) connected = 1;
    else { connect_failed = 1; fprintf(stderr, "publisher: connection refused: %s\n", mosquitto_connack_string(rc)); }
}

static void on_disconnect(struct mosquitto *m, void *u, int rc) {
    (void)m; (void)u;
    connected = 0;
    if (rc != 0 && !stop_requested) fprintf(stderr, "publisher: disconnected unexpectedly (%d)\n", rc);
}

static void on_publish(struct mosquitto *m, void *u, int mid) { (void)m; (void)u; (void)mid; acked++; }

static double mono(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int write_samples(const char *dir, const char *prefix, unsigned long long devices) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (int s = 0; s < SH_COUNT; s++) {
        /* the first device of the shape's family */
        unsigned long long idx = 0;
        enum family want = s <= SH_IMEDE_FALL ? FAM_IMEDE : s <= SH_3G_AL_FALL ? FAM_SETRACKER
                         : s <= SH_IW_AP10_FALL ? FAM_IW : s == SH_WISLEEP ? FAM_WISLEEP
                         : s == SH_ALINK ? FAM_ALINK : FAM_BLE;
        while (device_family(idx) != want && idx < devices) idx++;
        char topic[256], payload[2048], path[4096];
        int n = build_message((enum shape)s, prefix, idx, now, rnd(), topic, sizeof topic, payload, sizeof payload);
        if (n < 0) return 1;
        snprintf(path, sizeof path, "%s/%s.msg", dir, shape_name((enum shape)s));
        FILE *f = fopen(path, "w");
        if (!f) { perror(path); return 1; }
        fprintf(f, "%s\n%s", topic, payload);
        fclose(f);
    }
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: publisher [--host H] [--port P] [--qos 0|1] [--rate MSG_S] [--duration S | --count N]\n"
                    "                 [--devices N] [--prefix P] [--inflight N] [--emergency-ppm N] [--seed N]\n"
                    "                 [--client-id ID] [--samples DIR]\n");
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *prefix = "8650", *client_id = NULL, *samples = NULL;
    int port = 1883, qos = 1, inflight = 1000;
    double rate = 0, duration = 0;
    unsigned long long count = 0, devices = 10000, emergency_ppm = 0;
    static const struct option opts[] = {
        {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"qos", 1, 0, 'q'}, {"rate", 1, 0, 'r'},
        {"duration", 1, 0, 'd'}, {"count", 1, 0, 'c'}, {"devices", 1, 0, 'n'}, {"prefix", 1, 0, 'x'},
        {"inflight", 1, 0, 'i'}, {"emergency-ppm", 1, 0, 'e'}, {"seed", 1, 0, 's'},
        {"client-id", 1, 0, 'I'}, {"samples", 1, 0, 'S'}, {"help", 0, 0, '?'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'q': qos = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'c': count = strtoull(optarg, NULL, 10); break;
        case 'n': devices = strtoull(optarg, NULL, 10); break;
        case 'x': prefix = optarg; break;
        case 'i': inflight = atoi(optarg); break;
        case 'e': emergency_ppm = strtoull(optarg, NULL, 10); break;
        case 's': rng_state ^= strtoull(optarg, NULL, 10) * 0x100000001B3ull; break;
        case 'I': client_id = optarg; break;
        case 'S': samples = optarg; break;
        default: usage(); return 2;
        }
    }
    if ((qos != 0 && qos != 1) || devices == 0 || inflight < 1) { usage(); return 2; }
    if (samples) return write_samples(samples, prefix, devices);
    if (duration <= 0 && count == 0) duration = 10;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    mosquitto_lib_init();
    char idbuf[64];
    if (!client_id) { snprintf(idbuf, sizeof idbuf, "anxin-bench-pub-%d", (int)getpid()); client_id = idbuf; }
    struct mosquitto *m = mosquitto_new(client_id, true, NULL);
    if (!m) { fprintf(stderr, "publisher: mosquitto_new failed\n"); return 1; }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_max_inflight_messages_set(m, (unsigned)inflight);
    int rc = mosquitto_connect(m, host, port, 60);
    if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "publisher: connect %s:%d: %s\n", host, port, mosquitto_strerror(rc)); return 1; }
    int fd = mosquitto_socket(m);

    char topic[256], payload[2048];
    unsigned long long published = 0, next_device = 0;
    double start = 0, last_misc = mono(), deadline_wait = mono() + 10;
    int ok = 1;
    while (!stop_requested) {
        int want_write = mosquitto_want_write(m);
        int window_full = qos == 1 && published - acked >= (unsigned long long)inflight;
        int done = (count && published >= count) || (start > 0 && duration > 0 && mono() - start >= duration);
        if (done) break;
        int wait_ms = 0;
        double now = mono();
        if (!connected) {
            if (connect_failed || now > deadline_wait) { ok = 0; break; }
            wait_ms = 10;
        } else if (want_write || window_full) {
            wait_ms = 5;
        } else if (rate > 0 && start > 0) {
            double due = start + (double)published / rate;
            /* at least 1 ms: below that poll(0) spins, and at 4,000 msg/s (0.25 ms apart) the publisher
             * spun at ~70 % of a core, taken from the consumer it measures; the burst below catches up */
            if (due > now) wait_ms = (int)((due - now) * 1000) + 1;
            if (wait_ms > 5) wait_ms = 5;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN | (want_write ? POLLOUT : 0)};
        if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) { perror("poll"); ok = 0; break; }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            rc = mosquitto_loop_read(m, 1);
            if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "publisher: read: %s\n", mosquitto_strerror(rc)); ok = 0; break; }
        }
        if (p.revents & POLLOUT) mosquitto_loop_write(m, 1);
        if (now - last_misc > 0.1) { mosquitto_loop_misc(m); last_misc = now; }
        if (!connected) continue;
        if (start == 0) start = mono();
        /* a burst, stopping at the window, socket back-pressure, the rate or the count */
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        for (int b = 0; b < 64; b++) {
            if (qos == 1 && published - acked >= (unsigned long long)inflight) break;
            if (mosquitto_want_write(m)) break;
            if (count && published >= count) break;
            if (rate > 0 && start + (double)published / rate > mono()) break;
            uint64_t r = rnd();
            unsigned long long dev = next_device;
            next_device = (next_device + 1) % devices;
            int emergency = emergency_ppm && (r >> 20) % 1000000ull < emergency_ppm;
            enum shape s = pick_shape(device_family(dev), r, emergency);
            int n = build_message(s, prefix, dev, wall, r, topic, sizeof topic, payload, sizeof payload);
            if (n < 0) { fprintf(stderr, "publisher: message too long\n"); ok = 0; break; }
            rc = mosquitto_publish(m, NULL, topic, n, payload, qos, false);
            if (rc != MOSQ_ERR_SUCCESS) {
                fprintf(stderr, "publisher: publish: %s\n", mosquitto_strerror(rc));
                ok = 0;
                break;
            }
            published++;
        }
        if (!ok) break;
    }
    double elapsed = start > 0 ? mono() - start : 0;
    /* drain: QoS 1 until every PUBACK is in, QoS 0 until every packet is written (10 s at most) */
    double drain_end = mono() + 10;
    while (connected && acked < published && mono() < drain_end) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0)};
        poll(&p, 1, 10);
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (mosquitto_loop_read(m, 1) != MOSQ_ERR_SUCCESS) break;
        }
        if (p.revents & POLLOUT) mosquitto_loop_write(m, 1);
        mosquitto_loop_misc(m);
    }
    mosquitto_disconnect(m);
    for (int i = 0; i < 10 && mosquitto_want_write(m); i++) mosquitto_loop_write(m, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("RESULT published=%llu acked=%llu seconds=%.3f rate=%.0f qos=%d devices=%llu cpu=%.2f\n", published,
           acked, elapsed, elapsed > 0 ? (double)published / elapsed : 0.0, qos, devices, cpu);
    return ok ? 0 : 1;
}
