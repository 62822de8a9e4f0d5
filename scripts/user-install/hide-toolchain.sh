#!/usr/bin/env bash
# Run as root inside a private mount namespace (scripts/user-install.sh starts
# it with unshare -m): covers every compiler, build tool and libev file with
# /dev/null or an empty tmpfs, so that an install inside can only work with
# what the tarballs bring prebuilt, then checks that they are really gone.
# Prints "user-install: toolchain hidden ok" or "... FAILED".
set -uo pipefail

declare -A covered=()

# mount follows symlinks, so covering the file a name resolves to hides every
# alias of it (cc -> gcc -> gcc-12 -> x86_64-linux-gnu-gcc-12).
hide_file() {
  local real
  real=$(readlink -f "$1") || return 0
  [ -f "$real" ] || return 0
  [ -n "${covered[$real]:-}" ] && return 0
  mount --bind /dev/null "$real" && covered[$real]=1
}

hide_dir() {
  local real
  real=$(readlink -f "$1") || return 0
  [ -d "$real" ] || return 0
  [ -n "${covered[$real]:-}" ] && return 0
  mount -t tmpfs -o ro,size=4k evkit-hidden "$real" && covered[$real]=1
}

tools=(cc c++ cpp gcc g++ clang clang++ make gmake cmake ninja python python3 pkg-config node-gyp)
# node-gyp and make take the compiler from these when set.
for var in CC CXX LINK PYTHON; do [ -n "${!var:-}" ] && tools+=("${!var%% *}"); done
for tool in "${tools[@]}"; do
  while read -r found; do [ -n "$found" ] && hide_file "$found"; done < <(type -ap "$tool")
done
shopt -s nullglob
for file in /usr/bin/{cc,c++,cpp,gcc,g++,clang,clang++}* /usr/bin/x86_64-linux-gnu-{cpp,gcc,g++}* \
  /usr/bin/{make,gmake,cmake,ninja,pkg-config} /usr/bin/python*; do
  hide_file "$file"
done
# The compilers' own programs (cc1plus, ld plugins), for a driver under another name.
hide_dir /usr/lib/gcc
hide_dir /usr/libexec/gcc

# npm and pnpm keep their own node-gyp (npm cannot run any install script
# without it) and so does a user's machine; without a compiler it can build
# nothing. Its cache of Node headers goes, as on a machine that never built.
hide_dir "${HOME:-/root}/.cache/node-gyp"

libev_headers=(/usr/include/ev.h /usr/include/ev++.h /usr/local/include/ev.h /usr/local/include/ev++.h)
for file in "${libev_headers[@]}"; do hide_file "$file"; done
hide_dir /usr/include/libev
hide_dir /usr/local/include/libev
libev_libraries=()
while read -r found; do [ -n "$found" ] && libev_libraries+=("$found"); done < <(
  ldconfig -p | awk '$1 ~ /^libev\.so/ { print $NF }'
  printf '%s\n' /usr/lib/x86_64-linux-gnu/libev.* /lib/x86_64-linux-gnu/libev.* /usr/local/lib/libev.* \
    /usr/lib/x86_64-linux-gnu/pkgconfig/libev.pc /usr/local/lib/pkgconfig/libev.pc /usr/share/pkgconfig/libev.pc
)
for file in "${libev_libraries[@]}"; do hide_file "$file"; done

problems=()
g++ --version >/dev/null 2>&1 && problems+=("g++ --version still works")
make --version >/dev/null 2>&1 && problems+=("make --version still works")
for file in "${libev_headers[@]}" "${libev_libraries[@]}"; do
  [ -e "$file" ] && [ "$(head -c 1 "$file" 2>/dev/null | wc -c)" -ne 0 ] && problems+=("$file is still readable")
done
[ -e /usr/include/libev ] && [ -n "$(ls -A /usr/include/libev 2>/dev/null)" ] && problems+=("/usr/include/libev still lists files")
if [ ${#problems[@]} -eq 0 ]; then
  echo "user-install: toolchain hidden ok"
else
  printf "    %s\n" "${problems[@]}" >&2
  echo "user-install: toolchain hidden FAILED"
  exit 1
fi
