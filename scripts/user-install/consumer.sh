#!/usr/bin/env bash
# One user's project: in a fresh folder, installs @evkit/loop and @evkit/timer
# with npm or pnpm (the @evkit scope from the local registry, everything else
# from npmjs), then runs project/: an ES module, a CommonJS module, a worker
# sending to an AsyncMailbox (after adding @evkit/async) and tsc in two module
# modes. Prints "user-install: <pm> <check> ok|FAILED" per check
# and "user-install (info): ..." for the install time.
# Usage: consumer.sh <npm|pnpm> <project dir> <registry url> <cache dir>
set -uo pipefail
pm=$1 project=$2 registry=$3 cache=$4
here=$(cd "$(dirname "$0")" && pwd)
root_manifest=$here/../../package.json
failed=0

mkdir -p "$project" "$project.logs" && cd "$project" || exit 1
cp "$here"/project/* .
printf '{\n  "name": "evkit-user-install-%s",\n  "private": true,\n  "type": "module"\n}\n' "$pm" >package.json
printf '@evkit:registry=%s\n' "$registry" >.npmrc

# check <name> <command...>: runs the command (output to a log), prints its line.
check() {
  local name=$1 log=$project.logs/${1// /-}.log
  shift
  "$@" >"$log" 2>&1
  local status=$?
  if [ "$status" -eq 0 ]; then
    echo "user-install: $pm $name ok"
  else
    echo "user-install: $pm $name FAILED (exit $status)"
    tail -n 40 "$log" | sed 's/^/    /' >&2
    failed=1
  fi
  return "$status"
}

add() {
  case $pm in
    npm) timeout 600 npm install --no-audit --no-fund --cache "$cache" "$@" ;;
    pnpm)
      local out status
      out=$(timeout 600 pnpm add --store-dir "$cache" "$@" 2>&1)
      status=$?
      printf '%s\n' "$out"
      # A skipped build script is a failed install for a user, whatever the exit code.
      [ "$status" -eq 0 ] && ! grep -q ERR_PNPM_IGNORED_BUILDS <<<"$out"
      ;;
  esac
}

start=$EPOCHREALTIME
check install add @evkit/loop @evkit/timer
installed=$?
echo "user-install (info): $pm install took $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

if [ "$installed" -eq 0 ]; then
  check esm timeout 60 node esm.mjs
  check cjs timeout 60 node cjs.cjs
  # A second watcher package added later, as a user grows a project.
  if check "add async" add @evkit/async; then
    check mailbox timeout 60 node mailbox.mjs
  else
    echo "user-install: $pm mailbox FAILED (not installed)"
  fi
  # An addon author adds the core itself for its C API.
  if check "add core-native" add @evkit/core-native; then
    check "native api" timeout 60 node native-api.mjs
  else
    echo "user-install: $pm native api FAILED (not installed)"
  fi
else
  echo "user-install: $pm esm FAILED (not installed)"
  echo "user-install: $pm cjs FAILED (not installed)"
  failed=1
fi

# The same compiler and Node types the repository builds with.
version() { node -p "require('$root_manifest').devDependencies['$1']"; }
typescript_log=$project.logs/typescript.log
if [ "$installed" -ne 0 ]; then
  echo "user-install: $pm tsc nodenext FAILED (not installed)"
  echo "user-install: $pm tsc bundler FAILED (not installed)"
  failed=1
elif ! add -D "typescript@$(version typescript)" "@types/node@$(version @types/node)" >"$typescript_log" 2>&1; then
  tail -n 40 "$typescript_log" | sed 's/^/    /' >&2
  echo "user-install: $pm tsc nodenext FAILED (installing typescript failed)"
  echo "user-install: $pm tsc bundler FAILED (installing typescript failed)"
  failed=1
else
  check "tsc nodenext" ./node_modules/.bin/tsc -p tsconfig.nodenext.json
  check "tsc bundler" ./node_modules/.bin/tsc -p tsconfig.bundler.json
fi
exit "$failed"
