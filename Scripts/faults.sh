#!/usr/bin/env bash
# Runs the fault suite (broker and gateway kills, hotline outage / slow / flapping, full database and
# full disk, clock steps, device floods, redeliveries, spoofed ids) against a real mosquitto, the real
# binary and a real hotline receiver, with the long settings (20 gateway kills), and writes every
# figure the tests print to FAULTS.md. CI runs the same tests with the short settings.
#
#   Scripts/faults.sh                     # full run (ANXIN_FAULT_KILLS=20)
#   ANXIN_FAULT_KILLS=5 Scripts/faults.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
Scripts/deps.sh >/dev/null || exit 1
export ANXIN_FAULT_KILLS="${ANXIN_FAULT_KILLS:-20}"
export ANXIN_FAULT_TMPFS=1
mkdir -p .build
swift build --build-tests >.build/faults-build.txt 2>&1 || { tail -30 .build/faults-build.txt; exit 1; }
filter='Fault|LogPrivacyTests|MQTTTLSTests|FuzzCorpus'
started=$(date -u +%FT%TZ)
swift test --skip-build --disable-swift-testing --filter "$filter" 2>&1 | tee .build/faults-output.txt |
    grep -E "FAULT-FIGURE|error:|Executed [0-9]+ tests" | tail -60
rc=${PIPESTATUS[0]}
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" .build/faults-output.txt | tail -1 | sed -E 's/^[[:space:]]+//')
{
    echo "# Fault suite figures"
    echo
    echo "Recorded by \`Scripts/faults.sh\` on $started (ANXIN_FAULT_KILLS=$ANXIN_FAULT_KILLS, debug build)."
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}')."
    echo "Result: ${summary:-no summary} (exit status $rc)."
    echo
    echo "Each line is one test's closing figure (name, then key=value). What each test asserts is in its"
    echo "doc comment; SECURITY.md and README (Operations) say what the figures mean for a deployment."
    echo
    echo '```'
    grep -E "^FAULT-FIGURE" .build/faults-output.txt | sed 's/^FAULT-FIGURE //'
    echo '```'
} >FAULTS.md
echo "wrote FAULTS.md"
exit $rc
