/**
 * libev's backends and loop flags by name, in libev's probe order (the order
 * `flagsToList` reports them in).
 */
export const BACKEND_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['port', 0x20],
  ['kqueue', 0x08],
  ['linux_iouring', 0x80],
  ['linux_aio', 0x40],
  ['epoll', 0x04],
  ['poll', 0x02],
  ['select', 0x01],
];

export const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['noenv', 0x01000000],
  ['forkcheck', 0x02000000],
  ['noinotify', 0x00100000],
  ['signalfd', 0x00200000],
  ['nosigmask', 0x00400000],
  ['notimerfd', 0x00800000],
];

/** Names of the backend bits set in `mask`, in probe order. */
export function backendNames(mask: number): string[] {
  return BACKEND_NAMES.filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name);
}
