// The extractor finds exactly the blocks a reader would run, and refuses the
// Markdown that would let an example slip past the README test.
import { describe, expect, it } from 'vitest';
import { codeBlocks } from '../src/readme-blocks.js';

const md = (...lines: string[]): string => lines.join('\n');

describe('codeBlocks', () => {
  it('takes js/ts blocks (any alias), their line and code, and leaves other languages out', () => {
    const text = md(
      '# Title',
      '```sh',
      'pnpm add @evkit/loop',
      '```',
      '```ts',
      "const a: number = 1;",
      '```',
      '~~~javascript',
      'console.log(1);',
      '~~~',
      '```mjs',
      '```',
    );
    expect(codeBlocks(text, 'README.md')).toEqual([
      { file: 'README.md', line: 5, language: 'ts', code: 'const a: number = 1;\n' },
      { file: 'README.md', line: 8, language: 'js', code: 'console.log(1);\n' },
      { file: 'README.md', line: 11, language: 'js', code: '\n' },
    ]);
  });

  it('ends a block only at a fence as long as its own, so a shorter fence inside stays code', () => {
    const text = md('````ts', '```', 'x();', '````');
    expect(codeBlocks(text, 'a.md')).toEqual([{ file: 'a.md', line: 1, language: 'ts', code: '```\nx();\n' }]);
  });

  it('reads the not-run marker on the line right before the fence', () => {
    const text = md('<!-- not-run: continues the block above -->', '```ts', 'loop.run();', '```', '', '```ts', 'x();', '```');
    const [first, second] = codeBlocks(text, 'a.md');
    expect(first!.notRun).toBe('continues the block above');
    expect(second!.notRun).toBeUndefined();
  });

  it('refuses a marker without a reason, a marker not before a js/ts fence, a fence without a language, an unclosed fence', () => {
    expect(() => codeBlocks(md('<!-- not-run: -->', '```ts', '```'), 'a.md')).toThrow('a.md:1: a not-run marker needs a reason');
    expect(() => codeBlocks(md('<!-- not-run: why -->', '', '```ts', '```'), 'a.md')).toThrow('must be right before');
    expect(() => codeBlocks(md('<!-- not-run: why -->', '```sh', '```'), 'a.md')).toThrow('must be right before');
    expect(() => codeBlocks(md('```', 'x();', '```'), 'a.md')).toThrow('a.md:1: a code fence without a language');
    expect(() => codeBlocks(md('text', '```ts', 'x();'), 'a.md')).toThrow('a.md:2: a code fence that is never closed');
  });
});
