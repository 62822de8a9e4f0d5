// The README's examples run as written (child processes).
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runFixture } from '@evkit/test-utils';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

it('the stdin echo upper-cases its input and ends at EOF', () => {
  const result = runFixture(fixture('readme-echo.mjs'), { input: 'hello\nworld\n' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('HELLO\nWORLD\n');
});

it('the attached echo server answers a Node client and the process exits', () => {
  const result = runFixture(fixture('readme-server.mjs'), { timeoutMs: 10_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('one two\n');
});
