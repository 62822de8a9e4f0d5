import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The package's own build (from source, or the monorepo's), relative to this
 * file (lib/ or dist/). It wins over the prebuilt binary: building from source
 * is an explicit choice.
 */
export const LOCAL_BUILDS = ['../native/build/Release/evkit.node', '../native/build/Debug/evkit.node'];

/**
 * Test hook: when set, the addon is loaded from this path and nowhere else.
 * scripts/asan.sh points it at the sanitizer build; it is not meant for
 * applications.
 */
export const ADDON_PATH_ENV = 'EVKIT_ADDON_PATH';

/** The command that builds the addon from source against the system libev. */
export const BUILD_FROM_SOURCE = `node ${fileURLToPath(new URL('../scripts/build-native.mjs', import.meta.url))} --system`;

function isGlibc(): boolean {
  // The report's network parts (reverse DNS of open sockets) can be slow and
  // are not needed here. @types/node 20 does not know excludeNetwork yet.
  const report = process.report as typeof process.report & { excludeNetwork: boolean };
  const excluded = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    const { header } = report.getReport() as { header?: { glibcVersionRuntime?: string } };
    return typeof header?.glibcVersionRuntime === 'string';
  } finally {
    report.excludeNetwork = excluded;
  }
}

/** The platforms with a prebuilt package, `@evkit/core-native-<platform>` (scripts/platforms.mjs has their details). */
export const PREBUILT_PLATFORMS = [
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
] as const;

/** The platform as prebuilt packages name it: `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, … */
export function platformId(platform: string = process.platform, arch: string = process.arch): string {
  const libc = platform === 'linux' ? (isGlibc() ? '-gnu' : '-musl') : '';
  return `${platform}-${arch}${libc}`;
}

export interface AddonSources {
  /** Local builds, relative to `base`. */
  local?: readonly string[];
  /** The platform whose prebuilt package (`@evkit/core-native-<platform>`) is tried; by default this one. */
  platform?: string;
  /** The URL local paths are relative to and the prebuilt package is resolved from. */
  base?: string;
}

function reason(error: unknown, missing: string): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code === 'MODULE_NOT_FOUND' ? missing : String(message).split('\n')[0]!;
}

/**
 * Loads the compiled addon: only from EVKIT_ADDON_PATH when it is set, else the
 * local build, else the prebuilt package. On failure one error lists every path
 * tried and why it failed, and how to get a binary.
 */
export function loadAddon<T>({ local = LOCAL_BUILDS, platform, base = import.meta.url }: AddonSources = {}): T {
  const require = createRequire(base);
  const failures: string[] = [];
  const attempt = (file: string): T | undefined => {
    try {
      return require(file) as T;
    } catch (error) {
      failures.push(`  ${file}: ${reason(error, 'not found')}`);
      return undefined;
    }
  };
  const override = process.env[ADDON_PATH_ENV];
  if (override) {
    const addon = attempt(override);
    if (addon !== undefined) return addon;
  } else {
    for (const candidate of local) {
      const addon = attempt(fileURLToPath(new URL(candidate, base)));
      if (addon !== undefined) return addon;
    }
    platform ??= platformId();
    const pkg = `@evkit/core-native-${platform}`;
    let prebuilt: string | undefined;
    try {
      prebuilt = require.resolve(`${pkg}/evkit.node`);
    } catch (error) {
      failures.push(`  ${pkg}/evkit.node: ${reason(error, 'not installed')}`);
    }
    const addon = prebuilt === undefined ? undefined : attempt(prebuilt);
    if (addon !== undefined) return addon;
  }
  throw new Error(
    [
      override
        ? `@evkit/core-native: could not load the native addon (${ADDON_PATH_ENV} is set). Tried:`
        : `@evkit/core-native: could not load the native addon for ${platform}. Tried:`,
      ...failures,
      `Prebuilt binaries exist for ${PREBUILT_PLATFORMS.join(', ')} (glibc >= 2.34 where it says gnu), each in`,
      '@evkit/core-native-<platform>, an optional dependency: install with optional dependencies. Windows is not supported.',
      'Anywhere else, build it from source (needs python3, make, g++, node-addon-api in your project: `npm install',
      '--save-dev node-addon-api@8`, and the libev headers: libev-dev on Debian/Ubuntu, libev-devel on Fedora/RHEL,',
      '`brew install libev` on macOS):',
      `  ${BUILD_FROM_SOURCE}`,
    ].join('\n'),
  );
}
