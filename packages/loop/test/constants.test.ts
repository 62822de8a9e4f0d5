import { describe, expect, it } from 'vitest';
import { binding } from '@evkit/core-native/binding';
import * as evkit from '@evkit/loop';

describe('constants', () => {
  it('match the libev header the addon was compiled with', () => {
    const header = binding.constants;
    const names = Object.keys(header).filter((name) => !/^(BREAK|RUN)_/.test(name));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      expect([name, (evkit as Record<string, unknown>)[name]]).toEqual([name, header[name]]);
    }
  });

  it('has the api.md values', () => {
    expect([evkit.READ, evkit.WRITE, evkit.READWRITE, evkit.MINPRI, evkit.MAXPRI]).toEqual([1, 2, 3, -2, 2]);
    expect([evkit.BACKEND_SELECT, evkit.BACKEND_POLL, evkit.BACKEND_EPOLL, evkit.BACKEND_KQUEUE]).toEqual([1, 2, 4, 8]);
    expect([evkit.BACKEND_PORT, evkit.BACKEND_LINUXAIO, evkit.BACKEND_IOURING]).toEqual([0x20, 0x40, 0x80]);
    expect(evkit.ERROR).toBe(0x80000000);
  });
});
