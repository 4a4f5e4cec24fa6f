/* Device shapes for the Anxin benchmark publisher: one builder per message shape of
 * Tests/Fixtures/devices, with the device id substituted and a fresh timestamp where the shape
 * carries one. The family of a device and its id are a pure function of (prefix, index), so
 * Bench/make-registry.py binds exactly the same ids (keep the two in step). */
#ifndef ANXIN_BENCH_SHAPES_H
#define ANXIN_BENCH_SHAPES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum family { FAM_IMEDE, FAM_SETRACKER, FAM_IW, FAM_WISLEEP, FAM_ALINK, FAM_BLE, FAM_COUNT };

enum shape {
    SH_IMEDE_VITALS, SH_IMEDE_HEARTBEAT, SH_IMEDE_BATCH, SH_IMEDE_SOS, SH_IMEDE_FALL,
    SH_3G_UD2, SH_3G_BPHRT, SH_3G_AL_SOS, SH_3G_AL_FALL,
    SH_IW_AP01, SH_IW_AP49, SH_IW_APHP, SH_IW_AP10_SOS, SH_IW_AP10_FALL,
    SH_WISLEEP, SH_ALINK, SH_BLE,
    SH_COUNT
};

/* Family of device `index`: out of every 20 devices, 6 iMEDE watches, 4 3G* watches, 3 IW
 * watches, 4 WiSleep mattresses, 2 Alink bands, 1 BLE cuff behind a home hub. */
enum family device_family(uint64_t index);

/* The device id the registry binds: prefix + 11-digit index (a 15-digit IMEI-like number with
 * the default 4-digit prefix); for a BLE cuff its MAC "C0:PP:II:II:II:II" (PP = FNV-1a of the
 * prefix, low byte; II = index, big-endian). */
void device_id(const char *prefix, uint64_t index, char *out, size_t cap);

/* Picks the shape a device of `family` sends next; `emergency` picks one of its SOS/fall
 * shapes instead (families without event shapes ignore it). `r` is a random number. */
enum shape pick_shape(enum family family, uint64_t r, int emergency);

/* Writes topic and payload of one message of `shape` from device `index`, timestamped `now`
 * (UTC). Returns the payload length, or -1 if it did not fit. */
int build_message(enum shape shape, const char *prefix, uint64_t index, struct timespec now,
                  uint64_t r, char *topic, size_t topic_cap, char *payload, size_t payload_cap);

const char *shape_name(enum shape shape);

#endif
