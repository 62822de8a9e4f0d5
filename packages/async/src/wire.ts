// How a message's value travels between threads. `node:v8` serialization is
// the contract (what postMessage clones), but v8.serialize() costs ~6 µs per
// call from JS here, most of it making the serializer. The small values most
// messages are (primitives, a flat plain object, a short array of those) go
// in a compact form of their own instead, which decodes to what
// v8.deserialize would give; anything else goes through node:v8 as before.
//
// Compact form: the byte COMPACT (v8's own output starts with 0xFF), then
// one value: a type byte, then
//   INT32: 4 bytes; FLOAT64: 8 bytes; STRING: u32 byte length, UTF-8 bytes;
//   OBJECT: u32 count, then per property a key (as STRING, no type byte)
//     and a primitive; ARRAY: u32 count, then per element a primitive or an
//     OBJECT.
// Little-endian throughout. A receiver decodes with the same code: the sender
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
 * The bytes of `value`: compact when it can be, else node:v8's (which throws
 * for what it cannot clone). The compact bytes are a view of a buffer reused
 * by the next call: the caller copies them out (asyncPost does) before that.
 */
export function encode(value: unknown): Uint8Array {
  for (;;) {
    scratch[0] = COMPACT;
    const end = writeValue(value, 1, 0, null);
    if (end !== NOT_COMPACT) return scratch.subarray(0, end);
    if (!outgrown) return serialize(value);
    outgrown = false;
    if (scratch.length >= MAX_BYTES) return serialize(value);
    scratch = Buffer.allocUnsafe(Math.min(MAX_BYTES, scratch.length * 4));
  }
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
        scratch.writeInt32LE(value, at + 1);
        return at + 5;
      }
      if (!room(at, 9)) return NOT_COMPACT;
      scratch[at] = FLOAT64;
      scratch.writeDoubleLE(value, at + 1);
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
  scratch.writeUInt32LE(length, at);
  return at + 4 + length;
}

function writeObject(object: Record<string, unknown>, at: number): number {
  const keys = Object.keys(object);
  if (keys.length > MAX_ENTRIES || !room(at, 5)) return NOT_COMPACT;
  scratch[at] = OBJECT;
  scratch.writeUInt32LE(keys.length, at + 1);
  let end = at + 5;
  for (const key of keys) {
    end = writeString(key, end);
    if (end === NOT_COMPACT) return NOT_COMPACT;
    end = writeValue(object[key], end, 2, null);
    if (end === NOT_COMPACT) return NOT_COMPACT;
  }
  return end;
}

function writeArray(array: unknown[], at: number): number {
  const length = array.length;
  if (length > MAX_ENTRIES || Object.getPrototypeOf(array) !== Array.prototype || !room(at, 5)) return NOT_COMPACT;
  // Holes and named properties are node:v8's to keep.
  if (Object.keys(array).length !== length) return NOT_COMPACT;
  scratch[at] = ARRAY;
  scratch.writeUInt32LE(length, at + 1);
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
      return reading.readInt32LE(at - 4);
    case FLOAT64:
      at += 8;
      return reading.readDoubleLE(at - 8);
    case STRING:
      return readString();
    case OBJECT:
      return readObject();
    case ARRAY: {
      const length = reading.readUInt32LE(at);
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
  scratch.writeUInt32LE(length, at);
  return at + 4 + length;
}

function readString(): string {
  const length = reading.readUInt32LE(at);
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
  const count = reading.readUInt32LE(at);
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
