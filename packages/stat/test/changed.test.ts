// changed(path): a one-shot promise of the new attributes.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Loop } from '@evkit/loop';
import { AbortError, changed } from '@evkit/stat';
import { useCleanDefaultLoop } from '@evkit/test-utils';

useCleanDefaultLoop();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'evkit-changed-'));
  dirs.push(dir);
  return path.join(dir, 'file');
}

describe('changed()', () => {
  it('resolves with the new stats when the file is created, and null when it is removed', async () => {
    const file = tempFile();
    const created = changed(file, { interval: 0.01 });
    expect(Loop.default.refCount).toBe(1);
    setTimeout(() => {
      writeFileSync(`${file}.tmp`, 'hello');
      renameSync(`${file}.tmp`, file); // one change, with its content
    }, 20);
    expect((await created)?.size).toBe(5);
    const removed = changed(file, { interval: 0.01 });
    setTimeout(() => rmSync(file), 20);
    expect(await removed).toBe(null);
    expect(Loop.default.refCount).toBe(0);
  });

  it('rejects with AbortError when aborted, and with typed errors for bad arguments', async () => {
    const file = tempFile();
    await expect(changed(file, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    await expect(changed('', {})).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' });
    await expect(changed(file, { interval: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(changed(file, 5 as never)).rejects.toBeInstanceOf(TypeError);
    expect(Loop.default.refCount).toBe(0);
  });
});
