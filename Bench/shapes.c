/* Message builders for the benchmark publisher; see shapes.h. Values stay in normal ranges
 * (no threshold alert fires from ordinary traffic); only the emergency shapes raise alerts. */
#include "shapes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const names[SH_COUNT] = {
    "imede-vitals", "imede-heartbeat", "imede-batch", "imede-sos", "imede-fall",
    "setracker-ud2", "setracker-bphrt", "setracker-al-sos", "setracker-al-fall",
    "iw-ap01", "iw-ap49", "iw-aphp", "iw-ap10-sos", "iw-ap10-fall",
    "wisleep-mattress", "alink-property", "gateway-kpa",
};

const char *shape_name(enum shape s) { return (s >= 0 && s < SH_COUNT) ? names[s] : "?"; }

enum family device_family(uint64_t index) {
    unsigned b = (unsigned)(index % 20);
    if (b < 6) return FAM_IMEDE;
    if (b < 10) return FAM_SETRACKER;
    if (b < 13) return FAM_IW;
    if (b < 17) return FAM_WISLEEP;
    if (b < 19) return FAM_ALINK;
    return FAM_BLE;
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
    return h;
}

void device_id(const char *prefix, uint64_t index, char *out, size_t cap) {
    if (device_family(index) == FAM_BLE) {
        uint32_t i = (uint32_t)index;
        snprintf(out, cap, "C0:%02X:%02X:%02X:%02X:%02X", fnv1a(prefix) & 0xFF,
                 (i >> 24) & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF);
    } else {
        snprintf(out, cap, "%s%011llu", prefix, (unsigned long long)index);
    }
}

enum shape pick_shape(enum family f, uint64_t r, int emergency) {
    unsigned p = (unsigned)(r % 100);
    int second = (int)((r >> 8) & 1);
    switch (f) {
    case FAM_IMEDE:
        if (emergency) return second ? SH_IMEDE_FALL : SH_IMEDE_SOS;
        return p < 60 ? SH_IMEDE_VITALS : p < 90 ? SH_IMEDE_HEARTBEAT : SH_IMEDE_BATCH;
    case FAM_SETRACKER:
        if (emergency) return second ? SH_3G_AL_FALL : SH_3G_AL_SOS;
        return p < 50 ? SH_3G_UD2 : SH_3G_BPHRT;
    case FAM_IW:
        if (emergency) return second ? SH_IW_AP10_FALL : SH_IW_AP10_SOS;
        return p < 40 ? SH_IW_AP01 : p < 70 ? SH_IW_AP49 : SH_IW_APHP;
    case FAM_WISLEEP: return SH_WISLEEP;
    case FAM_ALINK: return SH_ALINK;
    default: return SH_BLE;
    }
}

/* A value in [lo, lo+span) from some bits of r. */
static int pick(uint64_t r, int shift, int lo, int span) { return lo + (int)((r >> shift) % (uint64_t)span); }

static void position(uint64_t index, double *lat, double *lon) {
    *lat = 24.6692 + (double)((int)((index * 7919u) % 2000u) - 1000) * 1e-5;
    *lon = 102.5958 + (double)((int)((index * 104729u) % 2000u) - 1000) * 1e-5;
}

/* ddmm.mmmm (9 chars) / dddmm.mmmm (10 chars), as IW frames carry them. */
static void nmea(double v, int degree_digits, char *out, size_t cap) {
    int d = (int)floor(v);
    double m = (v - d) * 60.0;
    if (m >= 59.99995) { d += 1; m = 0; }
    snprintf(out, cap, "%0*d%07.4f", degree_digits, d, m);
}

static int fit(int n, size_t cap) { return (n < 0 || (size_t)n >= cap) ? -1 : n; }

/* "[3G*id*LLLL*body]" where LLLL is the hex byte count of body. */
static int frame3g(const char *id, const char *body, char *payload, size_t cap) {
    return fit(snprintf(payload, cap, "[3G*%s*%04zX*%s]", id, strlen(body), body), cap);
}

int build_message(enum shape s, const char *prefix, uint64_t index, struct timespec now, uint64_t r,
                  char *topic, size_t tcap, char *payload, size_t pcap) {
    char id[40];
    device_id(prefix, index, id, sizeof id);
    time_t sec = now.tv_sec;
    static time_t cached_sec = -1; /* the publisher is single-threaded */
    static struct tm utc, local;
    if (sec != cached_sec) {
        gmtime_r(&sec, &utc);
        time_t local_sec = sec + 8 * 3600; /* iMEDE watches ship set to +08:00 */
        gmtime_r(&local_sec, &local);
        cached_sec = sec;
    }
    double lat, lon;
    position(index, &lat, &lon);
    int hr = pick(r, 0, 62, 28), sys = pick(r, 8, 112, 24), dia = pick(r, 16, 70, 14);
    int spo2 = pick(r, 24, 95, 5), battery = pick(r, 32, 40, 60);
    double temp = 36.3 + (double)pick(r, 40, 0, 6) / 10.0;
    char body[512];
    int n;

    switch (s) {
    case SH_IMEDE_VITALS:
        snprintf(topic, tcap, "iMEDE_watch/VitalSign");
        n = snprintf(payload, pcap,
                     "{\"IMEI\":\"%s\",\"heartRate\":%d,\"bloodPressure\":{\"bp_sys\":%d,\"bp_dia\":%d},"
                     "\"bodyTemperature\":%.1f,\"spO2\":%d,\"signalGSM\":%d,\"battery\":%d,"
                     "\"location\":{\"GPS\":{\"latitude\":%.4f,\"longitude\":%.4f},"
                     "\"LBS\":{\"MCC\":\"460\",\"MNC\":\"0\",\"LAC\":\"9520\",\"CID\":\"3671\"}},"
                     "\"timeStamps\":\"%02d/%02d/%04d %02d:%02d:%02d\"}",
                     id, hr, sys, dia, temp, spo2, pick(r, 48, 50, 40), battery, lat, lon, local.tm_mday,
                     local.tm_mon + 1, local.tm_year + 1900, local.tm_hour, local.tm_min, local.tm_sec);
        return fit(n, pcap);
    case SH_IMEDE_HEARTBEAT:
        snprintf(topic, tcap, "iMEDE_watch/hb");
        n = snprintf(payload, pcap,
                     "{\"IMEI\":\"%s\",\"signalGSM\":%d,\"battery\":%d,\"satellites\":%d,\"workingMode\":2,"
                     "\"timeStamps\":\"%02d/%02d/%04d %02d:%02d:%02d\",\"step\":%d}",
                     id, pick(r, 48, 50, 40), battery, pick(r, 56, 3, 8), local.tm_mday, local.tm_mon + 1,
                     local.tm_year + 1900, local.tm_hour, local.tm_min, local.tm_sec, pick(r, 12, 0, 9000));
        return fit(n, pcap);
    case SH_IMEDE_BATCH: {
        /* a buffered upload: three samples a minute apart, the last one now */
        snprintf(topic, tcap, "iMEDE_watch/AP55");
        long long t0 = (long long)sec - 120;
        n = snprintf(payload, pcap,
                     "{\"IMEI\":\"%s\",\"num_datas\":3,\"data\":["
                     "{\"timestamp\":%lld,\"heartRate\":%d,\"bloodPressure\":{\"bp_sys\":%d,\"bp_dia\":%d},\"spO2\":%d,\"bodyTemperature\":%.1f},"
                     "{\"timestamp\":%lld,\"heartRate\":%d,\"bloodPressure\":{\"bp_sys\":%d,\"bp_dia\":%d},\"spO2\":%d,\"bodyTemperature\":%.1f},"
                     "{\"timestamp\":%lld,\"heartRate\":%d,\"bloodPressure\":{\"bp_sys\":%d,\"bp_dia\":%d},\"spO2\":%d,\"bodyTemperature\":%.1f}]}",
                     id, t0, hr, sys, dia, spo2, temp, t0 + 60, hr + 2, sys + 1, dia + 1, spo2, temp, t0 + 120,
                     hr - 1, sys - 1, dia, spo2, temp);
        return fit(n, pcap);
    }
    case SH_IMEDE_SOS:
    case SH_IMEDE_FALL:
        snprintf(topic, tcap, s == SH_IMEDE_SOS ? "iMEDE_watch/sos" : "iMEDE_watch/fallDown");
        n = snprintf(payload, pcap,
                     "{\"status\":\"%s\",\"location\":{\"GPS\":{\"latitude\":%.4f,\"longitude\":%.4f}},\"IMEI\":\"%s\"}",
                     s == SH_IMEDE_SOS ? "SOS" : "FALL DOWN", lat, lon, id);
        return fit(n, pcap);
    case SH_3G_UD2:
    case SH_3G_AL_SOS:
    case SH_3G_AL_FALL: {
        snprintf(topic, tcap, "watch/3g/up");
        const char *cmd = s == SH_3G_UD2 ? "UD2" : "AL";
        const char *status = s == SH_3G_UD2 ? "00000000" : s == SH_3G_AL_SOS ? "00010000" : "00200000";
        snprintf(body, sizeof body,
                 "%s,%02d%02d%02d,%02d%02d%02d,A,%.6f,N,%.6f,E,0.00,0,1890,%d,100,%d,%d,0,%s,1,1,460,0,9520,3671,150",
                 cmd, utc.tm_mday, utc.tm_mon + 1, utc.tm_year % 100, utc.tm_hour, utc.tm_min, utc.tm_sec, lat, lon,
                 pick(r, 56, 4, 8), battery, pick(r, 12, 0, 9000), status);
        return frame3g(id, body, payload, pcap);
    }
    case SH_3G_BPHRT:
        snprintf(topic, tcap, "watch/3g/up");
        snprintf(body, sizeof body, "bphrt,%d,%d,%d,,,,", sys, dia, hr);
        return frame3g(id, body, payload, pcap);
    case SH_IW_AP01:
    case SH_IW_AP10_SOS:
    case SH_IW_AP10_FALL: {
        snprintf(topic, tcap, "watch/iw/%s/up", id);
        char la[16], lo[16];
        nmea(lat, 2, la, sizeof la);
        nmea(lon, 3, lo, sizeof lo);
        char tail[64];
        if (s == SH_IW_AP01) snprintf(tail, sizeof tail, "Home|74-DE-2B-44-88-8C|97");
        else snprintf(tail, sizeof tail, "%s,zhcn,00,Home|74-DE-2B-44-88-8C|97", s == SH_IW_AP10_SOS ? "01" : "05");
        n = snprintf(payload, pcap, "IW%s%02d%02d%02dA%sN%sE000.1%02d%02d%02d323.87%03d%03d%03d00102,460,0,9520,3671,%s",
                     s == SH_IW_AP01 ? "AP01" : "AP10", utc.tm_year % 100, utc.tm_mon + 1, utc.tm_mday, la, lo,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, pick(r, 48, 40, 60), pick(r, 56, 4, 8), battery, tail);
        return fit(n, pcap);
    }
    case SH_IW_AP49:
        snprintf(topic, tcap, "watch/iw/%s/up", id);
        return fit(snprintf(payload, pcap, "IWAP49,%d", hr), pcap);
    case SH_IW_APHP:
        snprintf(topic, tcap, "watch/iw/%s/up", id);
        return fit(snprintf(payload, pcap, "IWAPHP,%d,%d,%d,%d,%.1f,%.1f,,,,,,,", hr, sys, dia, spo2,
                            5.0 + (double)pick(r, 44, 0, 20) / 10.0, temp), pcap);
    case SH_WISLEEP:
        snprintf(topic, tcap, "bed/wisleep/org/%s", id);
        n = snprintf(payload, pcap,
                     "{\"records\":[{\"status\":4,\"bpm\":%d,\"rpm\":%d,\"sn\":\"%s\",\"signal\":\"%d/100\","
                     "\"quality\":\"99/100\",\"ssid\":\"B03-1\"}]}",
                     hr - 4, pick(r, 44, 12, 8), id, pick(r, 48, 50, 40));
        return fit(n, pcap);
    case SH_ALINK: {
        snprintf(topic, tcap, "/sys/a1CareBand01/%s/thing/event/property/post", id);
        long long ms = (long long)sec * 1000 + now.tv_nsec / 1000000;
        n = snprintf(payload, pcap,
                     "{\"id\":\"%u\",\"version\":\"1.0\",\"params\":{\"HeartRate\":{\"value\":%d,\"time\":%lld},"
                     "\"BloodPressure\":{\"value\":{\"Systolic\":%d,\"Diastolic\":%d},\"time\":%lld},"
                     "\"SpO2\":{\"value\":%d,\"time\":%lld}},\"method\":\"thing.event.property.post\"}",
                     (unsigned)(r >> 40) % 100000u, hr, ms, sys, dia, ms, spo2, ms);
        return fit(n, pcap);
    }
    default: { /* SH_BLE: the hub relays its cuff; blood pressure in kPa */
        snprintf(topic, tcap, "home/hub-%06llu/ble", (unsigned long long)index);
        n = snprintf(payload, pcap,
                     "{\"from\":\"HUB\",\"time\":%lld,\"mac\":\"A4:C1:38:%02X:%02X:%02X\",\"type\":\"reportAttribute\","
                     "\"data\":{\"attribute\":\"BP_CUFF\",\"ble_mac\":\"%s\",\"value\":{\"sys_kpa\":%.1f,\"dia_kpa\":%.1f,\"pr\":%d}}}",
                     (long long)sec, (unsigned)(index >> 16) & 0xFF, (unsigned)(index >> 8) & 0xFF,
                     (unsigned)index & 0xFF, id, (double)sys / 7.50062, (double)dia / 7.50062, hr);
        return fit(n, pcap);
    }
    }
}
