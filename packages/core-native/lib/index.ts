import { binding } from './binding.js';
import { backendNames } from './backends.js';

export { BACKEND_NAMES, FLAG_NAMES, backendNames } from './backends.js';

function versionString(major: number, minor: number): string {
  return `libev-${major}.${String(minor).padStart(2, '0')}`;
}

/** The runtime libev's version, e.g. `"libev-4.33"` (`ev_version_major/minor`). */
export function libevVersion(): string {
  const v = binding.versions();
  return versionString(v.runtimeMajor, v.runtimeMinor);
}

/** The version of the `ev.h` evkit was compiled against. */
export function headerVersion(): string {
  const v = binding.versions();
  return versionString(v.headerMajor, v.headerMinor);
}

/** Backends compiled into libev (`ev_supported_backends`). */
export function supportedBackends(): string[] {
  return backendNames(binding.backends().supported);
}

/** Backends libev recommends on this platform (`ev_recommended_backends`). */
export function recommendedBackends(): string[] {
  return backendNames(binding.backends().recommended);
}

/** Backends usable for an embedded loop, limited to the supported ones. */
export function embeddableBackends(): string[] {
  const { supported, embeddable } = binding.backends();
  return backendNames(supported & embeddable);
}

/** Wall-clock time in seconds as libev sees it (`ev_time`). */
export function time(): number {
  return binding.time();
}
