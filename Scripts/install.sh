#!/usr/bin/env bash
# Builds a release binary and installs it with its unit, configuration and profiles.
#   binary   /usr/local/bin/anxin
#   unit     /etc/systemd/system/anxin.service
#   config   /etc/anxin/anxin.yaml (kept if present), /etc/anxin/profiles, /etc/anxin/rules.yaml
#   state    /var/lib/anxin (created by systemd's StateDirectory=)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
Scripts/deps.sh
swift build -c release --product anxin
bin=$(swift build -c release --show-bin-path)/anxin
install -s -m 0755 "$bin" /usr/local/bin/anxin
id anxin >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin anxin
install -d -m 0750 -g anxin /etc/anxin /etc/anxin/profiles /etc/anxin/secrets
install -m 0640 -g anxin DeviceProfiles/*.yaml /etc/anxin/profiles/
install -m 0640 -g anxin Config/rules.yaml /etc/anxin/rules.yaml
[ -f /etc/anxin/registry.yaml ] || install -m 0640 -g anxin Config/registry.example.yaml /etc/anxin/registry.yaml
if [ ! -f /etc/anxin/anxin.yaml ]; then
  sed -e 's|^registry: registry.example.yaml|registry: registry.yaml|' -e 's|^profiles: \[../DeviceProfiles\]|profiles: [profiles]|' Config/anxin.example.yaml > /etc/anxin/anxin.yaml
  chmod 0640 /etc/anxin/anxin.yaml; chgrp anxin /etc/anxin/anxin.yaml
fi
for s in mqtt hotline; do [ -f /etc/anxin/secrets/$s ] || install -m 0600 /dev/null /etc/anxin/secrets/$s; done
install -m 0644 systemd/anxin.service /etc/systemd/system/anxin.service
[ -f /etc/mosquitto/conf.d/anxin.conf ] || { [ -d /etc/mosquitto/conf.d ] && install -m 0644 Config/mosquitto.conf /etc/mosquitto/conf.d/anxin.conf.example; }
/usr/local/bin/anxin check --config /etc/anxin/anxin.yaml
if [ -d /run/systemd/system ]; then systemctl daemon-reload; echo "installed: systemctl enable --now anxin"; else echo "installed (systemd not running here)"; fi
