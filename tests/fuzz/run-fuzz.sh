#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs each for a bounded time on a scratch copy of its seed corpus.
#
#   tests/fuzz/run-fuzz.sh [BUILD_DIR] [SECONDS_PER_TARGET]    (defaults: build-fuzz, 60)
#
# Exit status is non-zero when a target finds a crash, leak, timeout or out-of-memory; the
# reproducer is left in BUILD_DIR/fuzz-artifacts/.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
seconds=${2:-60}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup -Db_sanitize=address,undefined -Db_lundef=false "$build" "$src"
fi
ninja -C "$build" tests/fuzz/fuzz-form tests/fuzz/fuzz-expr tests/fuzz/fuzz-json \
  tests/fuzz/fuzz-server-request tests/fuzz/fuzz-xlsform

mkdir -p "$build/fuzz-artifacts"
status=0
for target in form expr json server-request xlsform; do
  # New inputs go to a scratch copy, so the seeds in the repository stay small and reviewed.
  corpus="$build/fuzz-corpus-$target"
  mkdir -p "$corpus"
  cp "$src/tests/fuzz/corpus/$target/"* "$corpus/"
  dict=""
  if [ -f "$src/tests/fuzz/$target.dict" ]; then
    dict="-dict=$src/tests/fuzz/$target.dict"
  fi
  echo "fuzz-$target: ${seconds}s"
  # shellcheck disable=SC2086
  # GLib warnings and criticals (a GError set twice, a failed precondition) are bugs: abort.
  if ! G_DEBUG=fatal-warnings UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$build/tests/fuzz/fuzz-$target" $dict \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$build/fuzz-artifacts/$target-" -print_final_stats=1 "$corpus"; then
    echo "fuzz-$target: FAILED (see $build/fuzz-artifacts/)" >&2
    status=1
  fi
done
exit $status
