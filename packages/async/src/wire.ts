// How a message's value travels between threads. `node:v8` serialization is
// the contract (what postMessage clones), but v8.serialize() costs ~6 µs per
// call from JS here, most of it making the serializer. The small values most
// messages are (primitives, a flat plain object, a short array of those) go
// in a compact form of their own instead, which decodes to what
// v8.deserialize would give; anything else goes through node:v8 as before.
//
// Compact form: the byte COMPACT (v8's own output starts with 0xFF), then
// one value: a type byte, then
//   INT32: 4 bytes; FLOAT64: 8 bytes (the machine's order: both ends are one
//   process); STRING: u32 byte length, UTF-8 bytes;
//   OBJECT: u32 count, then per property a key (as STRING, no type byte)
//     and a primitive; ARRAY: u32 count, then per element a primitive or an
//     OBJECT.
// Otherwise little-endian. A receiver decodes with the same code: the sender
// and the mailbox share one copy of this package's format (the tag names it).
import { deserialize, serialize } from 'node:v8';
import { isProxy } from 'node:util/types';

const COMPACT = 0x01;
const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING = 6;
const OBJECT = 7;
const ARRAY = 8;

/** Bigger containers go through node:v8, whose fixed cost no longer dominates. */
const MAX_ENTRIES = 64;
/** What the scratch buffer may grow to; a longer value goes through node:v8. */
const MAX_BYTES = 64 * 1024;

/** ES2024's String#isWellFormed (Node 20 has it; this package's TS lib predates it). */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/** Not compact: the value goes through node:v8. */
const NOT_COMPACT = -1;

let scratch = Buffer.allocUnsafe(1024);

/**
 * Encodes `value`: the byte length of its compact form, written at the start
 * of `compactBytes()` (and overwritten by the next call), or node:v8's bytes
 * (which throws for what it cannot clone). No view is made for the compact
 * bytes: a lone send's own cost is mostly code and objects touched for the
 * first time since the thread slept, and a typed array made per send was the
 * biggest part of it.
 */
export function encodeInPlace(value: unknown): number | Uint8Array {
  for (;;) {
    scratch[0] = COMPACT;
    const end = writeValue(value, 1, 0, null);
    if (end !== NOT_COMPACT) return end;
    if (!outgrown) return serialize(value);
    outgrown = false;
    if (scratch.length >= MAX_BYTES) return serialize(value);
    scratch = Buffer.allocUnsafe(Math.min(MAX_BYTES, scratch.length * 4));
  }
}

/** Where `encodeInPlace()` wrote its last compact bytes. */
export function compactBytes(): Uint8Array {
  return scratch;
}

/** The value `bytes[start, end)` encodes (either form). */
export function decode(bytes: Buffer, start: number, end: number): unknown {
  // node:v8 returns a typed array in the message as a view of these bytes,
  // which the caller reuses: it gets its own copy.
  if (bytes[start] !== COMPACT) return deserialize(Buffer.from(bytes.subarray(start, end)));
  reading = bytes;
  at = start + 1;
  try {
    return readValue();
  } finally {
    reading = EMPTY;
  }
}

// ------------------------------------------------------------------ bytes

// Numbers go byte by byte rather than through Buffer's read/write methods,
// which cost several times more the first time after a thread slept.
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

/** `value` as 32 bits little-endian at `bytes[at]`. */
function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >>> 8;
  bytes[at + 2] = value >>> 16;
  bytes[at + 3] = value >>> 24;
}

/** The unsigned 32-bit little-endian number at `bytes[at]`. */
export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;
}

// ------------------------------------------------------------------ encoding

/** The last writeValue() ran out of room in `scratch` (and may fit in a bigger one). */
let outgrown = false;

/**
 * Writes `value` at `at` and returns where it ends, or NOT_COMPACT. `depth`:
 * 0 at the top, 1 inside an array, 2 inside an object. `seen` holds the
 * objects of the enclosing array, so that one that appears twice (node:v8
 * keeps it one object) goes through node:v8.
 */
function writeValue(value: unknown, at: number, depth: number, seen: Set<object> | null): number {
  switch (typeof value) {
    case 'undefined':
      return writeByte(UNDEFINED, at);
    case 'boolean':
      return writeByte(value ? TRUE : FALSE, at);
    case 'number':
      if ((value | 0) === value && !Object.is(value, -0)) {
        if (!room(at, 5)) return NOT_COMPACT;
        scratch[at] = INT32;
        putU32(scratch, at + 1, value);
        return at + 5;
      }
      if (!room(at, 9)) return NOT_COMPACT;
      scratch[at] = FLOAT64;
      float[0] = value;
      for (let i = 0; i < 8; i++) scratch[at + 1 + i] = floatBytes[i]!;
      return at + 9;
    case 'string': {
      if (!room(at, 1)) return NOT_COMPACT;
      scratch[at] = STRING;
      return writeString(value, at + 1);
    }
    case 'object':
      if (value === null) return writeByte(NULL, at);
      if (depth === 2 || isProxy(value)) return NOT_COMPACT;
      if (Array.isArray(value)) return depth === 0 ? writeArray(value, at) : NOT_COMPACT;
      if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_COMPACT;
      if (seen !== null) {
        if (seen.has(value)) return NOT_COMPACT;
        seen.add(value);
      }
      return writeObject(value as Record<string, unknown>, at);
    default:
      return NOT_COMPACT; // bigint, symbol, function: node:v8 decides
  }
}

function writeByte(byte: number, at: number): number {
  if (!room(at, 1)) return NOT_COMPACT;
  scratch[at] = byte;
  return at + 1;
}

function room(at: number, bytes: number): boolean {
  if (at + bytes <= scratch.length) return true;
  outgrown = true;
  return false;
}

/** Strings up to this long that are ASCII are copied byte by byte: cheaper than a call into Buffer#write. */
const SHORT_STRING = 32;

function writeString(value: string, at: number): number {
  const short = value.length <= SHORT_STRING ? writeAscii(value, at) : NOT_COMPACT;
  if (short !== NOT_COMPACT) return short;
  // A lone surrogate has no UTF-8 form; node:v8 keeps it.
  if (!(value as unknown as WellFormedCheck).isWellFormed()) return NOT_COMPACT;
  if (!room(at, 4 + 3 * value.length)) return NOT_COMPACT;
  const length = scratch.write(value, at + 4, 'utf8');
  putU32(scratch, at, length);
  return at + 4 + length;
}

function writeObject(object: Record<string, unknown>, at: number): number {
  if (!room(at, 5)) return NOT_COMPACT;
  scratch[at] = OBJECT;
  let count = 0;
  let end = at + 5;
  // for-in rather than Object.keys: no array (nor, before the code is
  // optimised, an iterator per step) for each message. Own keys only, so it
  // is Object.keys's list, in its order.
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (++count > MAX_ENTRIES) return NOT_COMPACT;
    end = writeString(key, end);
    if (end === NOT_COMPACT) return NOT_COMPACT;
    end = writeValue(object[key], end, 2, null);
    if (end === NOT_COMPACT) return NOT_COMPACT;
  }
  putU32(scratch, at + 1, count);
  return end;
}

function writeArray(array: unknown[], at: number): number {
  const length = array.length;
  if (length > MAX_ENTRIES || Object.getPrototypeOf(array) !== Array.prototype || !room(at, 5)) return NOT_COMPACT;
  // Holes and named properties are node:v8's to keep.
  if (Object.keys(array).length !== length) return NOT_COMPACT;
  scratch[at] = ARRAY;
  putU32(scratch, at + 1, length);
  let end = at + 5;
  let seen: Set<object> | null = null;
  for (let i = 0; i < length; i++) {
    const element = array[i];
    if (typeof element === 'object' && element !== null) seen ??= new Set();
    end = writeValue(element, end, 1, seen);
    if (end === NOT_COMPACT) return NOT_COMPACT;
  }
  return end;
}

// ------------------------------------------------------------------ decoding

const EMPTY = Buffer.alloc(0);
let reading: Buffer = EMPTY;
let at = 0;

function readValue(): unknown {
  const type = reading[at++];
  switch (type) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT32:
      at += 4;
      return readU32(reading, at - 4) | 0;
    case FLOAT64:
      for (let i = 0; i < 8; i++) floatBytes[i] = reading[at + i]!;
      at += 8;
      return float[0];
    case STRING:
      return readString();
    case OBJECT:
      return readObject();
    case ARRAY: {
      const length = readU32(reading, at);
      at += 4;
      const array = new Array<unknown>(length);
      for (let i = 0; i < length; i++) array[i] = readValue();
      return array;
    }
    default:
      throw new Error(`evkit message: unknown compact type ${type}`);
  }
}

/** An ASCII string as its bytes, or NOT_COMPACT (when it is not ASCII or does not fit). */
function writeAscii(value: string, at: number): number {
  const length = value.length;
  if (!room(at, 4 + length)) return NOT_COMPACT;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) return NOT_COMPACT;
    scratch[at + 4 + i] = code;
  }
  putU32(scratch, at, length);
  return at + 4 + length;
}

function readString(): string {
  const length = readU32(reading, at);
  at += 4 + length;
  if (length <= SHORT_STRING) {
    const ascii = readAscii(at - length, at);
    if (ascii !== undefined) return ascii;
  }
  return reading.toString('utf8', at - length, at);
}

/** bytes[start, end) as a string when they are all ASCII: cheaper than a call into Buffer#toString. */
function readAscii(start: number, end: number): string | undefined {
  let text = '';
  for (let i = start; i < end; i++) {
    const byte = reading[i]!;
    if (byte > 0x7f) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

function readObject(): Record<string, unknown> {
  const count = readU32(reading, at);
  at += 4;
  const object: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const key = readString();
    const value = readValue();
    // Assigning '__proto__' would set the prototype; node:v8 makes it a property.
    if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}
