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
if swift format --version >/dev/null 2>&1; then
  if ! swift format lint --strict -r Sources Tests Package.swift Fuzz; then
    echo "style: run 'swift format -i -r Sources Tests Package.swift Fuzz' (rules in .swift-format)"
    exit 1
  fi
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
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt | grep -vE "^Test Case .* (started|passed)"
rc=${PIPESTATUS[0]}
# One plain closing line from XCTest's last summary.
summary=$(grep -E "Executed [0-9]+ tests?, with .*[0-9]+ failures?" .build/test-output.txt | tail -1)
total=$(grep -oE "Executed [0-9]+" <<<"$summary" | grep -oE "[0-9]+")
failed=$(grep -oE "[0-9]+ failures?" <<<"$summary" | grep -oE "[0-9]+")
skipped=$(grep -oE "[0-9]+ tests? skipped" <<<"$summary" | grep -oE "[0-9]+")
skipped=${skipped:-0}
if [ -n "$total" ] && [ -n "$failed" ]; then
  echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit $rc
