// The platforms evkit ships a prebuilt addon for, in one place: each has a
// package, @evkit/core-native-<id> (an optional dependency of
// @evkit/core-native, with these os/cpu/libc fields), a job of the release
// workflow's prebuild matrix (.github/workflows/release.yml), and the checks
// build-prebuild.mjs runs on its binary. Windows is not supported.
//
// glibc: the newest glibc symbol version the binary may need (built in
// Debian 12 containers, linked with libstdc++ static).
export const PLATFORMS = [
  { id: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc', glibc: '2.34', title: 'Linux x64 with glibc' },
  { id: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc', glibc: '2.34', title: 'Linux arm64 with glibc' },
  { id: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl', title: 'Linux x64 with musl (Alpine)' },
  { id: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl', title: 'Linux arm64 with musl (Alpine)' },
  { id: 'darwin-x64', os: 'darwin', cpu: 'x64', title: 'macOS x64 (Intel)' },
  { id: 'darwin-arm64', os: 'darwin', cpu: 'arm64', title: 'macOS arm64 (Apple silicon)' },
];

/** What a platform's libc demands, for its README: e.g. "glibc ≥ 2.34". */
export function requirement(platform) {
  if (platform.libc === 'glibc') return `glibc ≥ ${platform.glibc}`;
  if (platform.libc === 'musl') return 'musl libc, as in the `node:20-alpine` image it is built in';
  return platform.cpu === 'arm64' ? 'macOS 11 or later (as Node 20 itself)' : 'macOS 10.15 or later (as Node 20 itself)';
}

/** This machine's platform id, as the loader (lib/load.ts) names it. */
export function currentPlatformId() {
  const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : '';
  return `${process.platform}-${process.arch}${libc}`;
}
