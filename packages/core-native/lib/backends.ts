import { binding } from './binding.js';

const bit = (name: string): number => {
  const value = binding.constants[name];
  if (value === undefined) throw new Error(`the addon exports no constant ${name}`);
  return value;
};

/**
 * libev's backends by name, in libev's probe order (the order `flagsToList`
 * reports them in), as `[name, bit]` pairs; the values come from the
 * compiled header.
 *
 * @example
 * ```ts
 * import { BACKEND_NAMES } from '@evkit/core-native';
 *
 * const names = new Map(BACKEND_NAMES); // Map { "port" => 32, ..., "select" => 1 }
 * ```
 */
export const BACKEND_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['port', bit('BACKEND_PORT')],
  ['kqueue', bit('BACKEND_KQUEUE')],
  ['linux_iouring', bit('BACKEND_IOURING')],
  ['linux_aio', bit('BACKEND_LINUXAIO')],
  ['epoll', bit('BACKEND_EPOLL')],
  ['poll', bit('BACKEND_POLL')],
  ['select', bit('BACKEND_SELECT')],
];

/** libev's loop flags by name (what `flagsToInt` accepts besides backends), as `[name, bit]` pairs. */
export const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['noenv', bit('FLAG_NOENV')],
  ['forkcheck', bit('FLAG_FORKCHECK')],
  ['noinotify', bit('FLAG_NOINOTIFY')],
  ['signalfd', bit('FLAG_SIGNALFD')],
  ['nosigmask', bit('FLAG_NOSIGMASK')],
  ['notimerfd', bit('FLAG_NOTIMERFD')],
];

/**
 * Names of the backend bits set in `mask`, in probe order; other bits are ignored.
 *
 * @example
 * ```ts
 * import { backendNames } from '@evkit/core-native';
 *
 * backendNames(0x4 | 0x1 | 0x02000000); // ["epoll", "select"]
 * ```
 */
export function backendNames(mask: number): string[] {
  return BACKEND_NAMES.filter(([, value]) => (mask & value) !== 0).map(([name]) => name);
}
