#!/usr/bin/env bash
# The recorded soak: a release gateway, a real mosquitto and hotline receiver, load from 2,000 devices
# at half the rate a 20 s probe reached, an emergency every 15 s (each resolved after it arrives), RSS
# and open files sampled throughout. Writes SOAK.md. CI runs the same test for 40 s at 1,000 msg/s.
#
#   Scripts/soak.sh                 # one hour
#   SOAK_SECONDS=600 Scripts/soak.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
Scripts/deps.sh >/dev/null || exit 1
seconds="${SOAK_SECONDS:-3600}"
mkdir -p .build
swift build -c release --product anxin >.build/soak-build.txt 2>&1 || { tail -30 .build/soak-build.txt; exit 1; }
swift build --build-tests >>.build/soak-build.txt 2>&1 || { tail -30 .build/soak-build.txt; exit 1; }
# Run copies, straight from the XCTest bundle: an hour-long `swift test` would hold the build
# folder's lock, and a rebuild meanwhile must not replace the files under the running soak.
mkdir -p .build/soak
cp .build/release/anxin .build/soak/anxin
bundle=$(ls -d .build/debug/*PackageTests.xctest | head -1)
cp "$bundle" .build/soak/tests.xctest
started=$(date -u +%FT%TZ)
ANXIN_BINARY="$PWD/.build/soak/anxin" ANXIN_SOAK_SECONDS="$seconds" ANXIN_SOAK_RATE="${SOAK_RATE:-probe}" \
    .build/soak/tests.xctest IntegrationTests.SoakTests/testSoakAtSteadyLoadWithEmergencies 2>&1 | tee .build/soak-output.txt |
    grep -E "SOAK-FIGURE|error:|Executed [0-9]+ tests" | tail -20
rc=${PIPESTATUS[0]}
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" .build/soak-output.txt | tail -1 | sed -E 's/^[[:space:]]+//')
{
    echo "# Soak"
    echo
    echo "Recorded by \`Scripts/soak.sh\` on $started: ${seconds} s, release gateway, debug test harness."
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)."
    echo "Result: ${summary:-no summary} (exit status $rc)."
    echo
    echo '```'
    grep -E "^SOAK-FIGURE" .build/soak-output.txt | sed 's/^SOAK-FIGURE //'
    echo '```'
    echo
    echo "Samples (seconds since the load started, gateway RSS, open file descriptors, readings stored):"
    echo
    echo '```'
    grep -E "^SOAK-SAMPLE" .build/soak-output.txt | sed 's/^SOAK-SAMPLE //'
    echo '```'
} >SOAK.md
echo "wrote SOAK.md"
exit $rc
