#!/usr/bin/env bash
# Runs every native smoke test (packages/*/test/memcheck/*.mjs and the examples') under
# valgrind memcheck: invalid reads/writes, use of uninitialised memory, bad
# frees, and memory definitely lost. Node runs --jitless so V8's JIT does not
# drown the report. Exits non-zero on any error.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
# The smoke tests use the test-only addon (internal/native-testing); build it
# if `pnpm build` has not.
build_log=$(mktemp)
node internal/native-testing/scripts/build.mjs >"$build_log" 2>&1 ||
  { tail -40 "$build_log" >&2; echo "memcheck: building the test-only addon (internal/native-testing) failed" >&2; exit 1; }
rm -f "$build_log"
failed=0
for smoke in packages/*/test/memcheck/*.mjs examples/*/test/memcheck/*.mjs; do
  log=$(mktemp)
  echo "memcheck: $smoke"
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --suppressions=scripts/valgrind-node.supp --log-file="$log" \
    node --expose-gc --jitless "$smoke"
  status=$?
  grep -E "definitely lost:|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== /memcheck:   /'
  if [ "$status" -eq 0 ]; then
    echo "memcheck: $smoke ok"
  else
    echo "memcheck: $smoke FAILED (exit $status); full log: $log"
    grep -B3 -A25 -E "Invalid|uninitialised|definitely lost in" "$log" | head -200 >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "memcheck: clean"
exit "$failed"
