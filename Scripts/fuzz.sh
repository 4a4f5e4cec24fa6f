#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (sanitizer build, its own .build) and runs each for
# FUZZ_SECONDS (default 600) from the checked-in seed corpus. New corpus entries go to a
# scratch folder (Fuzz/.build/corpus-new/<target>), crashes, leaks and hangs to Fuzz/Crashes/.
# Writes the figures to FUZZING.md. Exit status 1 when any target found a problem.
#
#   Scripts/fuzz.sh                   # every target, 10 minutes each
#   FUZZ_SECONDS=60 Scripts/fuzz.sh   # a short run
#   Scripts/fuzz.sh decode rules      # only some targets
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode profile rules registry-csv registry-yaml)

echo "== building fuzzers (release, -sanitize=fuzzer,address)"
(cd "$fuzz" && swift build -c release --scratch-path "$fuzz/.build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -v "__asan_extra_spill_area")
bin="$fuzz/.build/release"
mkdir -p "$fuzz/Crashes"
export ANXIN_PROFILES="$root/DeviceProfiles"

rows=()
status=0
for t in "${targets[@]}"; do
    seeds="$fuzz/Corpus/$t"
    scratch="$fuzz/.build/corpus-new/$t"
    log="$fuzz/.build/fuzz-$t.log"
    mkdir -p "$scratch"
    before=$(find "$fuzz/Crashes" -name "$t-*" | wc -l)
    echo "== fuzz-$t for ${seconds}s (log: $log)"
    set +e
    "$bin/fuzz-$t" "$scratch" "$seeds" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -artifact_prefix="$fuzz/Crashes/$t-" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | sed 's/corp: //')
    ran=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    after=$(find "$fuzz/Crashes" -name "$t-*" | wc -l)
    found=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then found="exit $rc (see log)"; fi
    [ "$rc" -eq 0 ] || status=1
    echo "   executions ${execs:-?}, ${rate:-?} exec/s, corpus ${corpus:-?}, problems $found"
    rows+=("| fuzz-$t | ${ran:-$seconds} | ${execs:-?} | ${rate:-?} | ${corpus:-?} | $found |")
done

{
    echo "# Fuzzing"
    echo
    echo "libFuzzer targets in \`Fuzz/\` (a package of its own; the library sources are the main"
    echo "package's, through symlinks), built with \`-sanitize=fuzzer,address\` and run by"
    echo "\`Scripts/fuzz.sh\`. Seeds: \`Fuzz/Corpus/<target>/\`; problems found: \`Fuzz/Crashes/\`."
    echo "CI replays the decode and profile seeds without the sanitizer build"
    echo "(\`Tests/ProfilesTests/FuzzCorpusReplayTests.swift\`)."
    echo
    echo "| target | parses | entry |"
    echo "|---|---|---|"
    echo "| fuzz-decode | an MQTT message (topic, newline, payload) through the shipped profiles | \`ProfileSet.decode\` |"
    echo "| fuzz-profile | a profile YAML file | \`ProfileSet.load(sources:)\` |"
    echo "| fuzz-rules | a rules YAML file | \`RuleSet.load(text:path:)\` |"
    echo "| fuzz-registry-csv | a registry spreadsheet export (UTF-8 or GB18030) | \`RegistryLoader.importCSV(bytes:path:)\` |"
    echo "| fuzz-registry-yaml | a registry YAML file: the direct reader must read what it takes exactly as Yams does | \`RegistryLoader.crossCheckYAML(bytes:)\`, \`RegistryLoader.parseYAML(bytes:path:)\` |"
    echo
    echo "## Last run"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), FUZZ_SECONDS=$seconds, $(nproc) cores (shared), \`-timeout=5 -rss_limit_mb=2048\`,"
    echo "leak detection on. \"problems\" counts crash, leak, timeout and out-of-memory files written."
    echo
    echo "| target | seconds | executions | exec/s | corpus size | problems |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    if [ "$seconds" -lt 600 ]; then
        echo
        echo "**Still to do:** this was a short run of ${seconds} s per target. The recorded run of"
        echo "at least 10 minutes per target that issue 4 asks for has not been done yet:"
        echo "\`Scripts/fuzz.sh\` (FUZZ_SECONDS defaults to 600)."
    fi
    echo
    echo "## Reproducing a problem"
    echo
    echo '```'
    echo "Fuzz/.build/release/fuzz-decode Fuzz/Crashes/decode-crash-<hash>"
    echo '```'
    echo
    echo "Every problem found becomes a seed in \`Fuzz/Corpus/<target>/\` (so CI replays it) and a"
    echo "regression test next to the code it broke."
} >"$root/FUZZING.md"
echo "== wrote $root/FUZZING.md"
exit $status
