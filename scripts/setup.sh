#!/usr/bin/env bash
# One-shot setup for a fresh Debian/Ubuntu machine with Node 20: installs what
# is missing (a C/C++ toolchain, libcurl's headers for the native-interop
# example, pnpm 12.4.2), installs dependencies, builds
# everything and, unless --no-demo is given, runs the demo. No libev package:
# the build downloads libev's source from Debian's archive (with Node's own
# fetch) and links it in statically, as the prebuilt binary ships it.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
# The native-interop example addon (examples/native-interop) links libcurl.
command -v curl-config >/dev/null || missing+=(libcurl4-openssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install: ${missing[*]}" >&2
    exit 1
  fi
fi

if [ "$(cd / && pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  echo "setup: installing pnpm 12.4.2"
  as_root npm install -g --silent pnpm@12.4.2
fi

pnpm install --frozen-lockfile
pnpm build
if [ "${1:-}" != "--no-demo" ]; then
  pnpm demo
fi
