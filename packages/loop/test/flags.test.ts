import { describe, expect, it } from 'vitest';
import { eventsToString, flagsToInt, flagsToList, ERROR, READ, TIMER, WRITE, CUSTOM } from '@evkit/loop';

describe('flagsToInt', () => {
  it('maps empty values to 0', () => {
    expect(flagsToInt(undefined)).toBe(0);
    expect(flagsToInt(null)).toBe(0);
    expect(flagsToInt('')).toBe(0);
  });

  it('parses arrays and comma-separated strings case-insensitively', () => {
    expect(flagsToInt(['kqueue', 'SELECT'])).toBe(9);
    expect(flagsToInt('epoll, noenv')).toBe(0x01000004);
    expect(flagsToInt(' Poll ,SeLeCt ')).toBe(3);
    expect(flagsToInt('linux_aio,linuxaio')).toBe(0x40);
    expect(flagsToInt(['iouring'])).toBe(0x80);
    expect(flagsToInt('notimerfd,forkcheck,noinotify,signalfd,nosigmask')).toBe(0x02f00000);
  });

  it('passes integers through', () => {
    expect(flagsToInt(2)).toBe(2);
    expect(flagsToInt(0x80000000)).toBe(0x80000000);
  });

  it('rejects unknown names with a TypeError that names it and lists the valid names', () => {
    expect(() => flagsToInt(['port', 'blabla'])).toThrow(TypeError);
    expect(() => flagsToInt('blabla')).toThrow(/Invalid backend or flag: "blabla".*valid names: .*epoll.*select/);
  });

  it('rejects other types with TypeError and bad numbers with RangeError', () => {
    expect(() => flagsToInt({})).toThrow(TypeError);
    expect(() => flagsToInt(true)).toThrow(TypeError);
    expect(() => flagsToInt([1])).toThrow(TypeError);
    expect(() => flagsToInt(-1)).toThrow(RangeError);
    expect(() => flagsToInt(1.5)).toThrow(RangeError);
    expect(() => flagsToInt(Number.NaN)).toThrow(RangeError);
    expect(() => flagsToInt(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('flagsToList', () => {
  it('lists names in probe order with leftover bits last', () => {
    expect(flagsToList(0x22)).toEqual(['port', 'poll']);
    expect(flagsToList(0x01000004)).toEqual(['epoll', 'noenv']);
    expect(flagsToList(0x10 | 0x1)).toEqual(['select', 0x10]);
    expect(flagsToList(0)).toEqual([]);
  });

  it('round-trips with flagsToInt', () => {
    const value = flagsToInt('select,poll,epoll,forkcheck,noenv');
    expect(flagsToInt(flagsToList(value) as string[])).toBe(value);
  });

  it('rejects non-integers', () => {
    expect(() => flagsToList(-1)).toThrow(RangeError);
    expect(() => flagsToList('x' as unknown as number)).toThrow(RangeError);
  });
});

describe('eventsToString', () => {
  it('joins names with |', () => {
    expect(eventsToString(READ | WRITE)).toBe('READ|WRITE');
    expect(eventsToString(TIMER)).toBe('TIMER');
    expect(eventsToString(CUSTOM | ERROR)).toBe('CUSTOM|ERROR');
    expect(eventsToString(WRITE | 0x80)).toBe('WRITE|_IOFDSET');
    expect(eventsToString(0x4000000)).toBe('0x4000000');
    expect(eventsToString(0)).toBe('');
  });

  it('rejects non-integers', () => {
    expect(() => eventsToString(1.5)).toThrow(TypeError);
  });
});
