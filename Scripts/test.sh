#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, checks the systemd unit, builds and
# runs every test against a real mosquitto, real SQLite files and a real HTTP hotline receiver.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
ANXIN_WITH_SYSTEMD=1 Scripts/deps.sh || exit 1
if [ -x Scripts/verify-unit.sh ]; then
  Scripts/verify-unit.sh || exit 1
fi
mkdir -p .build
echo "building (debug, with tests)…"
swift build --build-tests > .build/build-log.txt 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  grep -E "error:" .build/build-log.txt | head -40
  tail -20 .build/build-log.txt
  echo "build failed"
  exit $rc
fi
swift test --skip-build 2>&1 | tee .build/test-output.txt | grep -vE "^Test Case .* (started|passed)"
rc=${PIPESTATUS[0]}
exit $rc
