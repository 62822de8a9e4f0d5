#!/usr/bin/env bash
# Installs evkit the way a user will, from the tarballs `pnpm publish` would
# upload, on a machine without a compiler or libev: builds the release
# (`pnpm prepare-release`), packs every published package, serves the
# tarballs from a local registry for the @evkit scope, and inside a private
# mount namespace that hides the toolchain and libev (user-install/
# hide-toolchain.sh) installs @evkit/loop and @evkit/timer into fresh projects
# with npm and with pnpm and runs them (user-install/consumer.sh).
# One "user-install: <check> ok|FAILED" line per check; "user-install (info):"
# lines (install times, tarball sizes) are not checks.
#
# Usage: scripts/user-install.sh [--no-build] [--keep]
#   --no-build  pack what is already built
#   --keep      leave the temporary folder (projects, logs, tarballs) behind
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=1
keep=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    *) echo "user-install: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
  echo "user-install: needs root and unshare (util-linux) for the mount namespace" >&2
  echo "user-install: setup FAILED"
  exit 1
fi

work=$(mktemp -d /tmp/evkit-user-install.XXXXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  if [ "$keep" -eq 1 ]; then echo "user-install (info): kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [ "$build" -eq 1 ] && ! pnpm prepare-release >"$work/prepare-release.log" 2>&1; then
  tail -n 40 "$work/prepare-release.log" | sed 's/^/    /' >&2
  echo "user-install: prepare-release FAILED"
  exit 1
fi

mkdir -p "$work/tarballs"
for dir in packages/*/; do
  [ -f "${dir}package.json" ] || continue
  [ "$(node -p "require('./${dir}package.json').private === true")" = true ] && continue
  # A platform package is packed only where its binary was built (this
  # machine's); npm and pnpm skip a missing optional dependency.
  case "$dir" in
    packages/core-native-*-*/)
      target=${dir%/}
      if ! node packages/core-native/scripts/build-prebuild.mjs --check --target "${target#packages/core-native-}" >/dev/null 2>&1; then
        echo "user-install (info): ${dir%/} not packed (no binary built here)"
        continue
      fi
      ;;
  esac
  if ! (cd "$dir" && pnpm pack --pack-destination "$work/tarballs") >"$work/pack.log" 2>&1; then
    sed 's/^/    /' "$work/pack.log" >&2
    echo "user-install: pack ${dir%/} FAILED"
    exit 1
  fi
done
for tarball in "$work"/tarballs/*.tgz; do
  bytes=$(stat -c %s "$tarball")
  echo "user-install (info): $(basename "$tarball") is $bytes bytes ($(((bytes + 512) / 1024)) KiB)"
done

node scripts/user-install/registry.mjs "$work/tarballs" "$work/registry.port" 2>"$work/registry.log" &
registry_pid=$!
for _ in $(seq 50); do [ -s "$work/registry.port" ] && break; sleep 0.1; done
if [ ! -s "$work/registry.port" ]; then
  cat "$work/registry.log" >&2
  echo "user-install: local registry FAILED"
  exit 1
fi
registry=http://127.0.0.1:$(cat "$work/registry.port")/

# The hiding mounts exist only in this namespace: the machine keeps its compiler.
unshare -m --propagation private bash -c '
  here=$1 work=$2 registry=$3
  bash "$here/hide-toolchain.sh" || exit 1
  status=0
  for pm in npm pnpm; do
    bash "$here/consumer.sh" "$pm" "$work/$pm-project" "$registry" "$work/$pm-cache" || status=1
  done
  exit "$status"
' user-install "$root/scripts/user-install" "$work" "$registry"
