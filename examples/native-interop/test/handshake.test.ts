import { nativeApi } from '@evkit/core-native';
import { describe, expect, it } from 'vitest';

import { addon } from '../src/index.js';

describe('the C API handshake (evkit_api_check)', () => {
  it('accepts the version this addon was built for', () => {
    expect(addon.checkApi(nativeApi, 1, 0)).toBe(true);
  });

  it('refuses another version or a later revision with a clear error', () => {
    expect(() => addon.checkApi(nativeApi, 2, 0)).toThrow(
      expect.objectContaining({ code: 'EVKIT_API_MISMATCH', message: expect.stringMatching(/needs the evkit C API 2 .*provides 1/) }),
    );
    expect(() => addon.checkApi(nativeApi, 1, 99)).toThrow(expect.objectContaining({ code: 'EVKIT_API_MISMATCH' }));
  });

  it('refuses anything but the nativeApi external', () => {
    for (const value of [undefined, {}, 1n, 'api', Buffer.alloc(8)]) {
      expect(() => addon.checkApi(value, 1, 0)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
      );
    }
  });
});
