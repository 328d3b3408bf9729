#!/usr/bin/env bash
# Builds the sanitizer-instrumented test tree and runs every test with ctest:
# unit tests (label "unit") and end-to-end tests against real peers (label "e2e").
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset test
cmake --build --preset test
ctest --preset test "$@"
