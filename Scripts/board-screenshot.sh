#!/usr/bin/env bash
# Produces docs/board.png: a simulated night shift on the real daemon, broker and hotline
# receiver, shown on the wall-screen duty board in headless Chromium (BoardShiftTests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/deps.sh
swift build --build-tests
ANXIN_SHIFT_SECONDS=30 ANXIN_SHIFT_INTERVAL=60 ANXIN_SHIFT_DELAY=20 ANXIN_BOARD_SCREENSHOT="$PWD/docs/board.png" swift test --skip-build --disable-swift-testing \
  --filter BoardShiftTests
echo "wrote docs/board.png"
