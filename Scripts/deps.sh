#!/usr/bin/env bash
# Installs the Debian packages Anxin builds and tests with (idempotent; needs root or sudo).
set -euo pipefail
pkgs=(mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev sqlite3 pkg-config python3 curl openssl)
# libfaketime moves the wall clock the gateway sees in the clock-step fault test.
pkgs+=(faketime)
# Headless Chromium and its WebDriver drive the duty board in the browser tests.
[ "${ANXIN_WITH_BROWSER:-1}" = 1 ] && pkgs+=(chromium chromium-driver fonts-noto-cjk)
[ "${ANXIN_WITH_SYSTEMD:-0}" = 1 ] && pkgs+=(systemd)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# mosquitto's package starts no broker here; tests start their own on free loopback ports.
command -v swift >/dev/null || { echo "swift toolchain not found on PATH (expected /opt/swift/usr/bin)"; exit 1; }
