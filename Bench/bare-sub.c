/* The bare libmosquitto subscriber: the limit Anxin is measured against. It subscribes to every
 * topic family of DeviceProfiles/ (*.yaml) the way Anxin does (MQTT v5, clean start off with a
 * session expiry, receive maximum 1000, the given QoS), counts messages in the callback and
 * does nothing else with them.
 *
 *   bare-sub [--host H] [--port P] [--qos 0|1] [--client-id ID] [--quiet S] [--duration S]
 *
 * Prints "SUBSCRIBED" once the broker has acknowledged the subscriptions, then each second
 * "t=… total=… rate=…", and at the end
 * "RESULT received=… seconds=… rate=… peak=…" (seconds: first to last message).
 * Ends after --quiet seconds without a message (default 5, counted once messages have
 * arrived), after --duration seconds (0 = no limit), or on SIGINT/SIGTERM. */
#define _GNU_SOURCE
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>

static char *const topics[] = {
    "iMEDE_watch/+", "watch/3g/up", "watch/iw/+/up", "bed/wisleep/#",
    "/sys/+/+/thing/event/property/post", "home/+/ble",
};
enum { TOPIC_COUNT = sizeof topics / sizeof topics[0] };

static volatile sig_atomic_t stop_requested;
static atomic_ullong received;
static atomic_int subscribed, failed;
static double first_at, last_at;
static int qos = 1;

static double mono(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void on_connect(struct mosquitto *m, void *u, int rc, int flags, const mosquitto_property *p) {
    (void)u; (void)flags; (void)p;
    if (rc != 0) {
        fprintf(stderr, "bare-sub: connection refused: %s\n", mosquitto_reason_string(rc));
        atomic_store(&failed, 1);
        return;
    }
    /* subscribe on every connect: a resumed session keeps them anyway */
    int r = mosquitto_subscribe_multiple(m, NULL, TOPIC_COUNT, topics, qos, 0, NULL);
    if (r != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "bare-sub: subscribe: %s\n", mosquitto_strerror(r));
        atomic_store(&failed, 1);
    }
}

static void on_subscribe(struct mosquitto *m, void *u, int mid, int n, const int *granted, const mosquitto_property *p) {
    (void)m; (void)u; (void)mid; (void)p;
    for (int i = 0; i < n; i++) {
        if (granted[i] >= 0x80) {
            fprintf(stderr, "bare-sub: subscription %d refused (%d)\n", i, granted[i]);
            atomic_store(&failed, 1);
        }
    }
    atomic_store(&subscribed, 1);
}

static void on_message(struct mosquitto *m, void *u, const struct mosquitto_message *msg, const mosquitto_property *p) {
    (void)m; (void)u; (void)msg; (void)p;
    double now = mono();
    if (atomic_fetch_add(&received, 1) == 0) first_at = now;
    last_at = now;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *client_id = "anxin-bench-bare";
    int port = 1883;
    double quiet = 5, duration = 0;
    static const struct option opts[] = {
        {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {"qos", 1, 0, 'q'}, {"client-id", 1, 0, 'I'},
        {"quiet", 1, 0, 'Q'}, {"duration", 1, 0, 'd'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'q': qos = atoi(optarg); break;
        case 'I': client_id = optarg; break;
        case 'Q': quiet = atof(optarg); break;
        case 'd': duration = atof(optarg); break;
        default:
            fprintf(stderr, "usage: bare-sub [--host H] [--port P] [--qos 0|1] [--client-id ID] [--quiet S] [--duration S]\n");
            return 2;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(client_id, false, NULL); /* clean start off */
    if (!m) { fprintf(stderr, "bare-sub: mosquitto_new failed\n"); return 1; }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m, MOSQ_OPT_RECEIVE_MAXIMUM, 1000);
    mosquitto_connect_v5_callback_set(m, on_connect);
    mosquitto_subscribe_v5_callback_set(m, on_subscribe);
    mosquitto_message_v5_callback_set(m, on_message);
    mosquitto_property *props = NULL;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 3600);
    int rc = mosquitto_connect_bind_v5(m, host, port, 60, NULL, props);
    mosquitto_property_free_all(&props);
    if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "bare-sub: connect %s:%d: %s\n", host, port, mosquitto_strerror(rc)); return 1; }
    mosquitto_loop_start(m);

    double start = mono(), next_tick = start + 1;
    unsigned long long last_total = 0, peak = 0, quiet_since_total = 0;
    double quiet_since = start;
    int announced = 0;
    while (!stop_requested && !atomic_load(&failed)) {
        usleep(20000);
        double now = mono();
        if (!announced && atomic_load(&subscribed)) { printf("SUBSCRIBED\n"); fflush(stdout); announced = 1; }
        unsigned long long total = atomic_load(&received);
        if (now >= next_tick) {
            unsigned long long rate = total - last_total;
            if (rate > peak) peak = rate;
            printf("t=%.0f total=%llu rate=%llu\n", next_tick - start, total, rate);
            fflush(stdout);
            last_total = total;
            next_tick += 1;
        }
        if (total != quiet_since_total) { quiet_since_total = total; quiet_since = now; }
        if (total > 0 && quiet > 0 && now - quiet_since >= quiet) break;
        if (duration > 0 && now - start >= duration) break;
    }
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    unsigned long long total = atomic_load(&received);
    double span = total > 1 ? last_at - first_at : 0;
    printf("RESULT received=%llu seconds=%.3f rate=%.0f peak=%llu\n", total, span, span > 0 ? (double)total / span : 0.0, peak);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return atomic_load(&failed) ? 1 : 0;
}
