/* Bulk-fills an Anxin database (schema already created by `anxin run`) with the devices of
 * Bench/publisher + Bench/make-registry.py and READINGS readings spread evenly over them,
 * inserted in primary-key order (device_ref, kind, measured_at, value) of the WITHOUT ROWID
 * `readings` table, without MQTT.
 *
 *   gen-readings DB DEVICES READINGS [PREFIX] [DAYS]
 *
 * Device i (0-based) gets devices.id = i + 1 and the id make-registry.py gives it (PREFIX +
 * 11 digits, a MAC for BLE cuffs), the profile of its family, registered = 1. Its readings
 * cover the kinds its family sends (as seen when the publisher's shapes go through the
 * gateway), one kind after another, evenly spaced over the last DAYS days (default 30, inside
 * the default 180-day retention), with plausible values and received_lag of 0.1-3 s.
 * The load runs with journal_mode=OFF and synchronous=OFF and puts the file back in WAL mode.
 *
 *   gcc -O2 -o gen-readings gen-readings.c -lsqlite3 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void die(const char *what) {
    fprintf(stderr, "gen-readings: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "gen-readings: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

/* Same family rule as Bench/shapes.c and Bench/make-registry.py. */
enum fam { IMEDE, SETRACKER, IW, WISLEEP, ALINK, BLE };
static enum fam family(uint64_t i) {
    unsigned b = i % 20;
    return b < 6 ? IMEDE : b < 10 ? SETRACKER : b < 13 ? IW : b < 17 ? WISLEEP : b < 19 ? ALINK : BLE;
}
static const char *profile[] = {"imede-watch", "setracker-3g", "iw-watch", "wisleep-mattress", "alink-band",
                                "hub-ble-cuff"};
/* ReadingKind raw values: 0 heart_rate 1 systolic 2 diastolic 3 spo2 4 respiration_rate 5 body_temp
 * 6 blood_glucose 7 battery 8 steps 9 location 10 in_bed 11 worn */
static const int kinds_imede[] = {0, 1, 2, 3, 5, 7, 9}, kinds_3g[] = {0, 1, 2, 7, 8, 9},
                 kinds_iw[] = {0, 1, 2, 3, 5, 6, 7, 9}, kinds_wisleep[] = {0, 4, 10}, kinds_alink[] = {0, 1, 2, 3},
                 kinds_ble[] = {0, 1, 2};
static const int *kinds_of(enum fam f, int *n) {
    switch (f) {
    case IMEDE: *n = 7; return kinds_imede;
    case SETRACKER: *n = 6; return kinds_3g;
    case IW: *n = 8; return kinds_iw;
    case WISLEEP: *n = 3; return kinds_wisleep;
    case ALINK: *n = 4; return kinds_alink;
    default: *n = 3; return kinds_ble;
    }
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void device_id(const char *prefix, uint64_t i, char *out, size_t cap) {
    if (family(i) == BLE) {
        uint32_t x = (uint32_t)i;
        snprintf(out, cap, "C0:%02X:%02X:%02X:%02X:%02X", fnv1a(prefix) & 0xFF, (x >> 24) & 0xFF, (x >> 16) & 0xFF,
                 (x >> 8) & 0xFF, x & 0xFF);
    } else {
        snprintf(out, cap, "%s%011llu", prefix, (unsigned long long)i);
    }
}

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rs ^= rs >> 12; rs ^= rs << 25; rs ^= rs >> 27;
    return rs * 2685821657736338717ull;
}
static double uni(double lo, double hi) { return lo + (hi - lo) * (double)(rnd() >> 11) / 9007199254740992.0; }

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: gen-readings DB DEVICES READINGS [PREFIX] [DAYS]\n");
        return 2;
    }
    const char *path = argv[1];
    uint64_t devices = strtoull(argv[2], NULL, 10), readings = strtoull(argv[3], NULL, 10);
    const char *prefix = argc > 4 ? argv[4] : "8650";
    int64_t days = argc > 5 ? atoll(argv[5]) : 30;
    if (devices == 0) return 2;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("open");
    exec("PRAGMA journal_mode = DELETE");
    exec("PRAGMA journal_mode = OFF");
    exec("PRAGMA synchronous = OFF");
    exec("PRAGMA locking_mode = EXCLUSIVE");
    exec("PRAGMA cache_size = -262144");
    exec("PRAGMA foreign_keys = OFF");
    exec("BEGIN");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t from = now - days * 86400000LL;

    sqlite3_stmt *dev, *rd;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO devices (id, device, profile, first_seen, last_seen, registered) "
                           "VALUES (?, ?, ?, ?, ?, 1)",
                           -1, &dev, NULL) != SQLITE_OK)
        die("prepare devices");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags, lon, "
                           "accuracy_m) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                           -1, &rd, NULL) != SQLITE_OK)
        die("prepare readings");
    char id[64];
    for (uint64_t i = 0; i < devices; i++) {
        device_id(prefix, i, id, sizeof id);
        sqlite3_bind_int64(dev, 1, (sqlite3_int64)(i + 1));
        sqlite3_bind_text(dev, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(dev, 3, profile[family(i)], -1, SQLITE_STATIC);
        sqlite3_bind_int64(dev, 4, from);
        sqlite3_bind_int64(dev, 5, now);
        if (sqlite3_step(dev) != SQLITE_DONE) die("insert device");
        sqlite3_reset(dev);
    }
    uint64_t done = 0;
    for (uint64_t i = 0; i < devices; i++) {
        /* spread the remainder so the total is exactly READINGS */
        uint64_t mine = readings / devices + (i < readings % devices ? 1 : 0);
        int nk;
        const int *ks = kinds_of(family(i), &nk);
        double lat0 = 24.66 + uni(0, 0.02), lon0 = 102.59 + uni(0, 0.02);
        for (int k = 0; k < nk; k++) {
            uint64_t n = mine / nk + ((uint64_t)k < mine % nk ? 1 : 0);
            if (n == 0) continue;
            int64_t step = (now - from) / (int64_t)n;
            if (step < 1) step = 1;
            for (uint64_t j = 0; j < n; j++) {
                int64_t at = from + (int64_t)j * step + (int64_t)(rnd() % (uint64_t)(step > 2 ? step / 2 : 1));
                double v;
                int flags = 0;
                switch (ks[k]) {
                case 0: v = (double)(55 + rnd() % 45); break;
                case 1: v = (double)(105 + rnd() % 40); break;
                case 2: v = (double)(65 + rnd() % 25); break;
                case 3: v = (double)(94 + rnd() % 6); break;
                case 4: v = (double)(12 + rnd() % 8); break;
                case 5: v = 36.0 + (double)(rnd() % 10) / 10.0; break;
                case 6: v = 5.0 + (double)(rnd() % 20) / 10.0; break;
                case 7: v = (double)(20 + rnd() % 80); break;
                case 8: v = (double)(rnd() % 9000); break;
                case 9: v = lat0 + uni(-0.0005, 0.0005); flags = 1 << 16; break;
                default: v = (double)(rnd() % 2); break;
                }
                sqlite3_bind_int64(rd, 1, (sqlite3_int64)(i + 1));
                sqlite3_bind_int(rd, 2, ks[k]);
                sqlite3_bind_int64(rd, 3, at);
                sqlite3_bind_double(rd, 4, v);
                sqlite3_bind_int64(rd, 5, (sqlite3_int64)(100 + rnd() % 2900));
                sqlite3_bind_int(rd, 6, flags);
                if (ks[k] == 9) sqlite3_bind_double(rd, 7, lon0 + uni(-0.0005, 0.0005));
                else sqlite3_bind_null(rd, 7);
                if (sqlite3_step(rd) != SQLITE_DONE) die("insert reading");
                sqlite3_reset(rd);
                if (++done % 5000000 == 0) {
                    exec("COMMIT");
                    exec("BEGIN");
                    fprintf(stderr, "gen-readings: %llu rows\n", (unsigned long long)done);
                }
            }
        }
    }
    exec("COMMIT");
    sqlite3_finalize(dev);
    sqlite3_finalize(rd);
    exec("PRAGMA locking_mode = NORMAL");
    exec("PRAGMA journal_mode = WAL");
    sqlite3_close(db);
    printf("devices=%llu readings=%llu\n", (unsigned long long)devices, (unsigned long long)done);
    return 0;
}
