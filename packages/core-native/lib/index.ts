import { fileURLToPath } from 'node:url';

import { binding, type NativeApi } from './binding.js';
import { backendNames } from './backends.js';

export { BACKEND_NAMES, FLAG_NAMES, backendNames } from './backends.js';
export type { NativeApi } from './binding.js';

function versionString(major: number, minor: number): string {
  return `libev-${major}.${String(minor).padStart(2, '0')}`;
}

/**
 * The runtime libev's version, e.g. `"libev-4.33"` (`ev_version_major/minor`).
 *
 * @example
 * ```ts
 * import { headerVersion, libevVersion } from '@evkit/core-native';
 *
 * console.log(libevVersion(), headerVersion()); // "libev-4.33 libev-4.33"
 * ```
 */
export function libevVersion(): string {
  const v = binding.versions();
  return versionString(v.runtimeMajor, v.runtimeMinor);
}

/**
 * The version of the `ev.h` evkit was compiled against, e.g. `"libev-4.33"`;
 * it can differ from {@link libevVersion} when the system libev was updated
 * after the build.
 *
 * @example
 * ```ts
 * import { headerVersion, libevVersion } from '@evkit/core-native';
 *
 * if (headerVersion() !== libevVersion()) console.warn('evkit was built against another libev');
 * ```
 */
export function headerVersion(): string {
  const v = binding.versions();
  return versionString(v.headerMajor, v.headerMinor);
}

/**
 * Backends compiled into libev and usable here (`ev_supported_backends`), by
 * name in libev's probe order; `new Loop({ flags })` refuses any others.
 *
 * @example
 * ```ts
 * import { supportedBackends } from '@evkit/core-native';
 *
 * supportedBackends(); // on Linux, e.g. ["linux_iouring", "epoll", "poll", "select"]
 * ```
 */
export function supportedBackends(): string[] {
  return backendNames(binding.backends().supported);
}

/**
 * Backends libev recommends on this platform (`ev_recommended_backends`): the
 * supported ones minus those libev does not trust on this platform. A loop with no backend
 * named picks from these.
 *
 * @example
 * ```ts
 * import { recommendedBackends } from '@evkit/core-native';
 *
 * recommendedBackends(); // on Linux, e.g. ["epoll", "poll", "select"]
 * ```
 */
export function recommendedBackends(): string[] {
  return backendNames(binding.backends().recommended);
}

/**
 * Backends libev can embed in another loop (`ev_embeddable_backends`),
 * limited to the supported ones.
 *
 * @example
 * ```ts
 * import { embeddableBackends } from '@evkit/core-native';
 *
 * embeddableBackends(); // on Linux, e.g. ["linux_iouring", "epoll"]
 * ```
 */
export function embeddableBackends(): string[] {
  const { supported, embeddable } = binding.backends();
  return backendNames(supported & embeddable);
}

/**
 * Wall-clock time in seconds as libev sees it (`ev_time`), a float like
 * `Date.now() / 1000`; unlike `loop.now()` it is never cached.
 *
 * @example
 * ```ts
 * import { time } from '@evkit/core-native';
 *
 * const at = time() + 60; // a minute from now, e.g. for a Periodic's offset
 * ```
 */
export function time(): number {
  return binding.time();
}

/**
 * The C API through which another Node addon drives its own libev watchers on
 * evkit's loops (its header, `evkit.h`, is in {@link includeDir}). Pass it to
 * the addon once; the addon checks it with `evkit_api_get()` and names loops
 * by their `ptr`. See "Writing an addon on evkit" in this package's README.
 *
 * @example
 * ```ts
 * import { includeDir, nativeApi } from '@evkit/core-native';
 *
 * console.log(typeof nativeApi, includeDir); // "object" ".../@evkit/core-native/include"
 * ```
 */
export const nativeApi: NativeApi = binding.nativeApi;

/**
 * The directory holding `evkit.h` and the `ev.h` of the libev evkit carries,
 * for an addon's `include_dirs` (binding.gyp:
 * `<!(node -p "require('@evkit/core-native/include').dir")`).
 */
export const includeDir: string = fileURLToPath(new URL('../include', import.meta.url));
