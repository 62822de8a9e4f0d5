// The compact message form decodes to exactly what node:v8 gives, and every
// value it does not cover still goes through node:v8.
import { deserialize, serialize } from 'node:v8';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compactBytes, decode, encodeInPlace } from '../src/wire.js';

const COMPACT = 0x01;

// The bytes of `value`, copied: the compact ones are in a buffer the next encode reuses.
function encode(value: unknown): Buffer {
  const encoded = encodeInPlace(value);
  return Buffer.from(typeof encoded === 'number' ? compactBytes().subarray(0, encoded) : encoded);
}

function roundTrip(value: unknown): { value: unknown; compact: boolean } {
  const copy = encode(value);
  return { value: decode(copy, 0, copy.length), compact: copy[0] === COMPACT };
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const shared = { shared: true };
const withHole = [1, , 3]; // eslint-disable-line no-sparse-arrays
const withName = Object.assign([1, 2], { name: 'extra' });
const withProto = JSON.parse('{"__proto__": 5, "a": 1}') as object;
const withGetter = Object.defineProperty({ a: 1 }, 'b', { get: () => 2, enumerable: true });
const withHidden = Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false });

const COMPACT_VALUES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  0.1,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  '',
  'hello',
  'héllo wörld 🎉',
  'é',
  '\x7f',
  'x'.repeat(32), // the longest string copied byte by byte when ASCII
  'x'.repeat(31) + 'é',
  'x'.repeat(33),
  'x'.repeat(5000),
  { ключ: 'значение', ascii: 'ok' },
  { i: 1 },
  { a: 'b', n: 1.5, t: true, u: undefined, z: null },
  { 2: 'two', 1: 'one', b: 1, a: 2 },
  {},
  [],
  [1, 'two', null, undefined, 3.5],
  [{ i: 1 }, { i: 2 }, { j: 'x' }],
  withProto,
  withGetter,
  withHidden,
  Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i])),
];

const V8_VALUES: unknown[] = [
  10n,
  'lone \ud800 surrogate',
  { nested: { deep: 1 } },
  [[1], [2]],
  [shared, shared],
  withHole,
  withName,
  new Point(1, 2),
  Object.create(null) as object,
  new Date(0),
  new Map([[1, 2]]),
  new Uint8Array([1, 2, 3]),
  Array.from({ length: 65 }, (_, i) => i),
  Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
  { big: 'x'.repeat(70_000) },
];

describe('message wire format', () => {
  it('keeps small values compact and decodes them as node:v8 would', () => {
    for (const value of COMPACT_VALUES) {
      const got = roundTrip(value);
      expect(got.compact, `compact: ${String(value)}`).toBe(true);
      const expected = deserialize(serialize(value));
      expect(isDeepStrictEqual(got.value, expected), `round trip of ${JSON.stringify(value)}`).toBe(true);
    }
  });

  it('sends everything else through node:v8, unchanged', () => {
    for (const value of V8_VALUES) {
      const got = roundTrip(value);
      expect(got.compact, `not compact: ${Object.prototype.toString.call(value)}`).toBe(false);
      expect(isDeepStrictEqual(got.value, deserialize(serialize(value)))).toBe(true);
    }
  });

  it('keeps one object one object, and a __proto__ key a plain property', () => {
    const pair = roundTrip([shared, shared]).value as object[];
    expect(pair[0]).toBe(pair[1]);
    const proto = roundTrip(withProto).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'a']);
    expect(proto.__proto__).toBe(5);
  });

  it('throws what node:v8 throws for what it cannot clone', () => {
    expect(() => encode(() => {})).toThrow(/could not be cloned/);
    expect(() => encode({ f: Symbol('s') })).toThrow(/could not be cloned/);
    expect(() => encode(new Proxy({ a: 1 }, {}))).toThrow(/could not be cloned/);
  });

  it('takes the own keys of an object only, in their order, as node:v8 does', () => {
    const withIndex = { b: 1, 2: 'two', a: 3, 1: 'one' };
    const got = roundTrip(withIndex);
    expect(got.compact).toBe(true);
    expect(Object.keys(got.value as object)).toEqual(['1', '2', 'b', 'a']);
    // An enumerable key on Object.prototype is inherited, not own: left out.
    Object.defineProperty(Object.prototype, 'inherited', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      const plain = roundTrip({ own: 1 });
      expect(plain).toEqual({ value: { own: 1 }, compact: true });
      expect(Object.hasOwn(plain.value as object, 'inherited')).toBe(false);
    } finally {
      delete (Object.prototype as { inherited?: number }).inherited;
    }
  });

  it('numbers keep their exact value, sign and width', () => {
    const numbers = { a: -1, b: 2 ** 31 - 1, c: -(2 ** 31), d: 2 ** 31, e: 0.1, f: -0, g: 1.5e15, h: NaN, i: -Infinity };
    const got = roundTrip(numbers);
    expect(got.compact).toBe(true);
    expect(Object.is((got.value as { f: number }).f, -0)).toBe(true);
    expect(isDeepStrictEqual(got.value, deserialize(serialize(numbers)))).toBe(true);
  });

  it('grows its buffer for longer values and stays correct afterwards', () => {
    const long = { s: 'y'.repeat(20_000) };
    expect(roundTrip(long)).toEqual({ value: long, compact: true });
    expect(roundTrip({ i: 7 })).toEqual({ value: { i: 7 }, compact: true });
  });
});
