import { argTypeError, outOfRangeError } from './errors.js';
import { BACKEND_NAMES, FLAG_NAMES } from '@evkit/core-native';
import { BACKEND_IOURING, BACKEND_LINUXAIO } from './constants.js';
import { describe } from './validate.js';

const ALIASES: ReadonlyArray<readonly [string, number]> = [
  ['linuxaio', BACKEND_LINUXAIO],
  ['iouring', BACKEND_IOURING],
];

const BY_NAME = new Map<string, number>([...BACKEND_NAMES, ...FLAG_NAMES, ...ALIASES]);
const VALID_NAMES = [...BY_NAME.keys()].sort().join(', ');

function nameToBit(raw: string): number {
  const name = raw.replace(/\s+/g, '').toLowerCase();
  const bit = BY_NAME.get(name);
  if (bit === undefined) {
    throw argTypeError(`Invalid backend or flag: ${JSON.stringify(raw.trim())}; valid names: ${VALID_NAMES}`);
  }
  return bit;
}

/**
 * Parses loop flags: `undefined`/`null`/`""` → 0, an integer as is, a
 * comma-separated string or an array of names (case-insensitive, spaces
 * ignored) → the OR of their bits. The names are the backends `select`,
 * `poll`, `epoll`, `kqueue`, `port`, `linux_aio` (or `linuxaio`) and
 * `linux_iouring` (or `iouring`), and the flags `noinotify`, `signalfd`,
 * `nosigmask`, `notimerfd`, `forkcheck` and `noenv`.
 *
 * @param flags - What `new Loop({ flags })` takes.
 * @returns The flags as libev's bit mask.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for an unknown name (the
 *   message lists the valid ones) or a value of another type.
 * @throws `RangeError` (`ERR_OUT_OF_RANGE`) for a negative, fractional or
 *   over-32-bit number.
 *
 * @example
 * ```ts
 * import { BACKEND_EPOLL, FLAG_NOINOTIFY, flagsToInt } from '@evkit/loop';
 *
 * flagsToInt('epoll, NoInotify') === (BACKEND_EPOLL | FLAG_NOINOTIFY); // true
 * flagsToInt(['select', 'poll']); // 3
 * flagsToInt(undefined); // 0
 * ```
 */
export function flagsToInt(flags: unknown): number {
  if (flags === undefined || flags === null || flags === '') return 0;
  if (typeof flags === 'number') {
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
      throw outOfRangeError(`flags must be a non-negative integer, got ${describe(flags)}`);
    }
    return flags;
  }
  let names: unknown[];
  if (typeof flags === 'string') names = flags.split(',');
  else if (Array.isArray(flags)) names = flags;
  else throw argTypeError(`flags must be a number, a string or an array of names, got ${describe(flags)}`);
  let result = 0;
  for (const name of names) {
    if (typeof name !== 'string') {
      throw argTypeError(`flags must name backends or flags as strings, got ${describe(name)}`);
    }
    if (name.trim() === '' && typeof flags === 'string') continue;
    result = (result | nameToBit(name)) >>> 0;
  }
  return result;
}

/**
 * The inverse of {@link flagsToInt}: the names of the bits in `flags`, in
 * libev's probe order, with bits that have no name as one number at the end.
 *
 * @throws `RangeError` (`ERR_OUT_OF_RANGE`) when `flags` is not a
 *   non-negative integer.
 *
 * @example
 * ```ts
 * import { flagsToList } from '@evkit/loop';
 *
 * flagsToList(0x4 | 0x1); // ["epoll", "select"]
 * flagsToList(0x02000000 | 0x100); // ["forkcheck", 256]
 * ```
 */
export function flagsToList(flags: number): Array<string | number> {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) {
    throw outOfRangeError(`flags must be a non-negative integer, got ${describe(flags)}`);
  }
  const result: Array<string | number> = [];
  let rest = flags >>> 0;
  for (const [name, bit] of [...BACKEND_NAMES, ...FLAG_NAMES]) {
    if ((rest & bit) !== 0) {
      result.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) result.push(rest);
  return result;
}

/**
 * The name of one backend bit (`"epoll"`), or its value in hex (`"0x10"`)
 * for a bit evkit has no name for.
 *
 * @example
 * ```ts
 * import { BACKEND_POLL, backendName } from '@evkit/loop';
 *
 * backendName(BACKEND_POLL); // "poll"
 * ```
 */
export function backendName(backend: number): string {
  const entry = BACKEND_NAMES.find(([, bit]) => bit === backend);
  return entry ? entry[0] : `0x${backend.toString(16)}`;
}

const EVENT_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['READ', 0x1],
  ['WRITE', 0x2],
  ['_IOFDSET', 0x80],
  ['TIMER', 0x100],
  ['PERIODIC', 0x200],
  ['SIGNAL', 0x400],
  ['CHILD', 0x800],
  ['STAT', 0x1000],
  ['IDLE', 0x2000],
  ['PREPARE', 0x4000],
  ['CHECK', 0x8000],
  ['EMBED', 0x10000],
  ['FORK', 0x20000],
  ['CLEANUP', 0x40000],
  ['ASYNC', 0x80000],
  ['CUSTOM', 0x1000000],
  ['ERROR', 0x80000000],
];

/**
 * An event mask (a callback's `revents`, an Io's `events`) as names joined
 * by `|`, e.g. `"READ|WRITE"`; bits without a name in hex.
 *
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `mask` is not an integer.
 *
 * @example
 * ```ts
 * import { ERROR, READ, eventsToString } from '@evkit/loop';
 *
 * eventsToString(READ | ERROR); // "READ|ERROR"
 * eventsToString(0); // ""
 * ```
 */
export function eventsToString(mask: number): string {
  if (typeof mask !== 'number' || !Number.isInteger(mask)) {
    throw argTypeError(`mask must be an integer, got ${describe(mask)}`);
  }
  let rest = mask >>> 0;
  const parts: string[] = [];
  for (const [name, bit] of EVENT_NAMES) {
    if ((rest & bit) >>> 0 !== 0) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}
