// The README's examples run as written (child processes).
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runFixture, useProcessTimeout } from '@evkit/test-utils';

useProcessTimeout(); // child processes or workers: see PROCESS_TEST_TIMEOUT_MS

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

it('the stdin echo upper-cases its input and ends at EOF', () => {
  const result = runFixture(fixture('readme-echo.mjs'), { input: 'hello\nworld\n' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('HELLO\nWORLD\n');
});

it('the attached echo server answers a Node client and the process exits', () => {
  const result = runFixture(fixture('readme-server.mjs'));
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('one two\n');
});
