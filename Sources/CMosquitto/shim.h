#ifndef ANXIN_CMOSQUITTO_SHIM_H
#define ANXIN_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
