#!/usr/bin/env bash
# Builds a second copy of the native addon with AddressSanitizer and
# UndefinedBehaviorSanitizer into packages/core-native/build-asan/ (the normal
# build/Release is left alone), then runs every package's native smoke test
# (packages/*/test/memcheck/*.mjs, examples/*/test/memcheck/*.mjs) against it: the loader takes the addon from
# EVKIT_ADDON_PATH (the smokes' test-only helpers come from the separate
# internal/native-testing addon, built here if missing), and node, which is
# not instrumented, gets the ASan runtime through LD_PRELOAD. Any report stops the smoke test with a non-zero exit.
# Leak checking is off: node and V8 are not instrumented and "leak" by design
# at exit; scripts/memcheck.sh (valgrind) covers leaks.
#
# Usage: scripts/asan.sh [--build-only]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pkg=packages/core-native
stage=$pkg/build-asan
build_only=0
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    *) echo "asan: unknown argument $arg" >&2; exit 2 ;;
  esac
done

cxx=${CXX:-g++}
runtime=$("$cxx" -print-file-name=libasan.so)
if [ ! -e "$runtime" ] || [ "$runtime" = libasan.so ]; then
  echo "asan: no ASan runtime for $cxx (Debian: apt-get install -y libasan8 or a matching gcc)" >&2
  exit 1
fi

# node-gyp always writes ./build next to binding.gyp: give it a directory of
# its own holding a link to the real native/binding.gyp, at the same depth, so
# the gyp file's ../src and ../scripts are the real ones. libev is the same
# static build the normal addon links; libev itself is not instrumented.
mkdir -p "$stage"
ln -sfn ../native/binding.gyp "$stage/binding.gyp"
node "$pkg/scripts/libev-source.mjs" || { echo "asan: preparing libev failed" >&2; exit 1; }
nodedir=()
prefix=$(cd "$(dirname "$(command -v node)")/.." && pwd)
[ -e "$prefix/include/node/node_api.h" ] && nodedir=(--nodedir="$prefix")
gyp=$(cd "$pkg" && node -p "require.resolve('node-gyp/bin/node-gyp.js')")
(
  cd "$stage" &&
    { [ -f build/config.gypi ] && [ build/config.gypi -nt binding.gyp ] ||
      node "$gyp" configure "${nodedir[@]}" -- -Devkit_sanitize=address,undefined; } &&
    node "$gyp" build -j 2
) >"$stage/build.log" 2>&1 || { tail -40 "$stage/build.log" >&2; echo "asan: building the sanitizer addon failed (log: $stage/build.log)" >&2; exit 1; }
addon=$root/$stage/build/Release/evkit.node
echo "asan: built $addon"
# The smoke tests also load the test-only addon (internal/native-testing,
# not instrumented); build it if `pnpm build` has not.
node internal/native-testing/scripts/build.mjs >"$stage/build-testing.log" 2>&1 ||
  { tail -40 "$stage/build-testing.log" >&2; echo "asan: building the test-only addon failed" >&2; exit 1; }
[ "$build_only" -eq 1 ] && exit 0

export EVKIT_ADDON_PATH=$addon
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}

failed=0
for smoke in packages/*/test/memcheck/*.mjs examples/*/test/memcheck/*.mjs; do
  log=$(mktemp)
  LD_PRELOAD=$runtime timeout 300 node --expose-gc "$smoke" >"$log" 2>&1
  status=$?
  if [ "$status" -eq 0 ] && ! grep -qE "ERROR: AddressSanitizer|runtime error:" "$log"; then
    echo "asan: $smoke ok"
    rm -f "$log"
  else
    echo "asan: $smoke FAILED (exit $status); full log: $log"
    grep -A40 -E "ERROR: AddressSanitizer|runtime error:" "$log" | head -80 >&2 || tail -40 "$log" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "asan: clean"
exit "$failed"
