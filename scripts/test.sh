#!/usr/bin/env bash
# The test command: installs what is needed, builds debug (with tests) and release, runs every test.
# Tests that need ../shared/datasets skip with a message when it is absent (set WATCHPOST_DATASETS).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/setup.sh --with-test-data
export WATCHPOST_MODELS=${WATCHPOST_MODELS:-$repo/models}
swift build --build-tests
swift build -c release
swift test --skip-build "$@"
