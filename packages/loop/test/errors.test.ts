// The error path: errorHandler(error, context) and the loop goes on; without
// one, run() breaks after the batch and rethrows (AggregateError for several).
import { describe, expect, it } from 'vitest';
import { Callback, EvError, Loop, type ErrorContext } from '@evkit/loop';
import { useFreshLoop } from '@evkit/test-utils';
import { TestIdle, TestPrepare } from './helpers.js';

describe('errors thrown by callbacks', () => {
  const fresh = useFreshLoop();

  it('go to errorHandler with (error, watcher) and the loop goes on', () => {
    const loop = fresh();
    const seen: Array<[unknown, ErrorContext]> = [];
    loop.errorHandler = (error, context) => seen.push([error, context]);
    let calls = 0;
    const boom = new Error('boom');
    const w = new TestIdle(loop).start(() => {
      calls++;
      if (calls === 3) w.stop();
      throw boom;
    });
    expect(loop.run()).toBe(false);
    expect(calls).toBe(3);
    expect(seen).toEqual([[boom, w], [boom, w], [boom, w]]);
  });

  it('go to errorHandler with the Callback as context', () => {
    const loop = fresh();
    const seen: ErrorContext[] = [];
    loop.errorHandler = (_error, context) => seen.push(context);
    const cb = loop.runCallback(() => {
      throw new Error('x');
    });
    const after: string[] = [];
    loop.runCallback(() => after.push('later callback ran'));
    loop.run();
    expect(seen).toEqual([cb]);
    expect(seen[0]).toBeInstanceOf(Callback);
    expect(after).toEqual(['later callback ran']);
  });

  it('without a handler: run() rethrows after the batch, the loop stays usable', () => {
    const loop = fresh();
    const order: string[] = [];
    const boom = new Error('boom');
    const bad = new TestPrepare(loop).start(() => {
      order.push('bad');
      throw boom;
    });
    const good = new TestPrepare(loop).start(() => order.push('good'));
    expect(() => loop.run()).toThrow(boom);
    expect(order.sort()).toEqual(['bad', 'good']);
    expect(bad.active && good.active).toBe(true);
    bad.stop();
    expect(() => loop.run({ nowait: true })).not.toThrow();
    good.stop();
    expect(loop.run()).toBe(false);
  });

  it('two throwing callbacks in one batch give an AggregateError with both', () => {
    const loop = fresh();
    const e1 = new Error('one');
    const e2 = new Error('two');
    loop.runCallback(() => {
      throw e1;
    });
    loop.runCallback(() => {
      throw e2;
    });
    let caught: unknown;
    try {
      loop.run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AggregateError);
    expect((caught as AggregateError).errors).toEqual([e1, e2]);
    expect(loop.run()).toBe(false);
  });

  it('treat a throwing handler as no handler', () => {
    const loop = fresh();
    const original = new Error('original');
    loop.errorHandler = () => {
      throw new Error('handler broke');
    };
    loop.runCallback(() => {
      throw original;
    });
    expect(() => loop.run()).toThrow(original);
  });

  it('handle non-Error throws the same way', () => {
    const loop = fresh();
    loop.runCallback(() => {
      throw 'x';
    });
    expect(() => loop.run()).toThrow('x');
    loop.runCallback(() => {
      throw undefined;
    });
    let caught: unknown = 'nothing';
    try {
      loop.run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(undefined);
    const seen: unknown[] = [];
    loop.errorHandler = (error) => seen.push(error);
    loop.runCallback(() => {
      throw null;
    });
    loop.run();
    expect(seen).toEqual([null]);
  });

  it('errorHandler accepts a function or null only', () => {
    const loop = fresh();
    expect(() => {
      loop.errorHandler = 5 as never;
    }).toThrow(TypeError);
    loop.errorHandler = () => {};
    loop.errorHandler = null;
    expect(loop.errorHandler).toBe(null);
  });

  it('EvError carries a code', () => {
    const error = new EvError('m', 'ECODE', { errno: 9, syscall: 'x' });
    expect([error.code, error.errno, error.syscall, error.name]).toEqual(['ECODE', 9, 'x', 'EvError']);
  });
});

describe('argument errors carry Node codes', () => {
  const code = (name: string, value: string) => expect.objectContaining({ name, code: value });
  it('ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE', () => {
    expect(() => new Loop({ flags: {} as never })).toThrow(code('TypeError', 'ERR_INVALID_ARG_TYPE'));
    expect(() => new Loop({ flags: -1 })).toThrow(code('RangeError', 'ERR_OUT_OF_RANGE'));
    expect(() => new Loop({ flags: 0x100 })).toThrow(code('RangeError', 'ERR_INVALID_ARG_VALUE'));
    expect(() => new Loop({ flags: 'kqueue' })).toThrow(code('EvError', 'ERR_EVKIT_UNSUPPORTED_BACKEND'));
    const loop = new Loop();
    expect(() => loop.break('sometimes' as never)).toThrow(code('RangeError', 'ERR_INVALID_ARG_VALUE'));
    expect(() => loop.runCallback(1 as never)).toThrow(code('TypeError', 'ERR_INVALID_ARG_TYPE'));
    const w = new TestIdle(loop);
    expect(() => (w.priority = 3)).toThrow(code('RangeError', 'ERR_OUT_OF_RANGE'));
    expect(() => w.feed(1)).toThrow(code('EvError', 'ERR_EVKIT_NO_CALLBACK'));
    loop.destroy();
  });
});
