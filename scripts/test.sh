#!/usr/bin/env bash
# The test command: installs what is needed, builds once (release, with the tests), runs every test.
# Tests that need ../shared/datasets skip with a message when it is absent (set WATCHPOST_DATASETS).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# Swift 6 is expected on the PATH; the usual tarball install lives in /opt/swift.
command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH; } \
  || { echo "swift not found: install Swift 6 and put it on the PATH" >&2; exit 1; }
scripts/setup.sh --with-test-data
# docs/architecture.md's module graph is generated from Package.swift: a change not reflected there fails here.
python3 scripts/module-graph.py --check
# Formatting is swift-format's (the toolchain's, configuration in .swift-format): fix with
# swift format --in-place --recursive Sources Tests Benchmarks Fuzz Package.swift
swift format lint --strict --recursive --parallel Sources Tests Benchmarks Fuzz Package.swift
export WATCHPOST_MODELS=${WATCHPOST_MODELS:-$repo/models}
# One release build serves the tests, the executables the integration tests run (install, demo)
# and the fuzzers: a debug build beside it cost CI about six minutes. It is built with testability,
# for the tests' @testable imports, in a folder of its own, so that it does not change the flags of
# the plain release build that the demo and the benchmarks use (each stays incremental).
build=(-c release --scratch-path .build/tested)
swift build "${build[@]}" --build-tests -Xswiftc -enable-testing
echo "test.sh: set-up, checks and build took ${SECONDS} s"
# Two tests at a time: most integration tests wait on clips played in real time, so the second
# core does the other's work meanwhile. Each test has its own folder and kernel-picked ports.
swift test "${build[@]}" --skip-build --parallel "$@"
echo "test.sh: tests done after ${SECONDS} s"
# Every parser of a user's file, and the wire and bundle decoders, fuzzed for a fixed count (the
# whole suite only: a filtered run skips them). README "Hostile input" has longer runs' figures.
if [ $# -eq 0 ]; then
  bin=$(swift build "${build[@]}" --show-bin-path)
  "$bin/FileFuzz" --count 20000
  "$bin/DecoderFuzz" --count 20000
  echo "test.sh: fuzzers done after ${SECONDS} s"
fi
