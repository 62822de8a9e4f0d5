import { getSystemErrorName } from 'node:util';
import { binding } from '@evkit/core-native/binding';
import { EvError, READ, READWRITE, WRITE } from '@evkit/loop';
import { argTypeError, argValueError, describe, outOfRangeError } from '@evkit/loop/internal';

/** `events` as the constructor takes it: READ, WRITE, READWRITE, or "r", "w", "rw". */
export type IoEvents = number | 'r' | 'w' | 'rw';

const EVENT_STRINGS: Record<string, number> = { r: READ, w: WRITE, rw: READWRITE };
const ALLOWED = 'READ (1), WRITE (2), READWRITE (3), "r", "w" or "rw"';

/** Largest fd number: libev's `int fd`. */
const MAX_FD = 0x7fffffff;

/** A non-negative integer fd (the type and range only; see checkOpen). */
export function checkFd(name: string, fd: unknown): asserts fd is number {
  if (typeof fd !== 'number') throw argTypeError(`${name} must be a file descriptor (an integer), got ${describe(fd)}`);
  if (!Number.isInteger(fd) || fd < 0 || fd > MAX_FD) {
    throw outOfRangeError(`${name} must be a non-negative integer file descriptor, got ${describe(fd)}`);
  }
}

/** The libev mask for `events`; RangeError names the allowed values. */
export function parseEvents(events: unknown): number {
  if (typeof events === 'number') {
    if (events === READ || events === WRITE || events === READWRITE) return events;
    throw argValueError(`illegal event mask: events must be ${ALLOWED}, got ${describe(events)}`);
  }
  if (typeof events === 'string') {
    const mask = Object.hasOwn(EVENT_STRINGS, events) ? EVENT_STRINGS[events] : undefined;
    if (mask !== undefined) return mask;
    throw argValueError(`illegal event mask: events must be ${ALLOWED}, got ${describe(events)}`);
  }
  throw argTypeError(`events must be ${ALLOWED}, got ${describe(events)}`);
}

/** An EvError for an errno from the binding, with `code` its name (EBADF, EMFILE, ...). */
export function errnoError(errno: number, message: string, syscall?: string): EvError {
  const code = getSystemErrorName(-errno);
  return new EvError(`${message} (${code})`, code, { errno, syscall });
}

/** Throws EvError EBADF unless `fd` is an open file descriptor (fcntl F_GETFD). */
export function checkOpen(fd: number): void {
  const errno = binding.ioFdStatus(fd);
  if (errno !== 0) throw errnoError(errno, `fd ${fd} is not an open file descriptor`, 'fcntl');
}
