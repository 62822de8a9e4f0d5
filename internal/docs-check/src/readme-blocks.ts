// The fenced code blocks of a Markdown file that a reader would run: the
// JavaScript and TypeScript ones. A block that is a fragment on purpose carries
// `<!-- not-run: why -->` on the line right before its fence, so skipping it is
// a visible decision in the README rather than a rule hidden in the test.

export type BlockLanguage = 'ts' | 'js';

export interface CodeBlock {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: BlockLanguage;
  code: string;
  /** The reason of a `<!-- not-run: reason -->` marker; undefined for a block to run. */
  notRun?: string;
}

const LANGUAGES: Record<string, BlockLanguage> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
};

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const NOT_RUN = /^\s*<!--\s*not-run:(.*?)-->\s*$/;

/**
 * Every JavaScript or TypeScript block of `markdown`. Throws on what would let
 * an example escape the test unnoticed: a fence without a language, a fence
 * never closed, a marker without a reason or with no such block after it.
 */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = NOT_RUN.exec(lines[i]!);
    if (marker) {
      const reason = marker[1]!.trim();
      if (reason === '') throw new Error(`${file}:${i + 1}: a not-run marker needs a reason`);
      const next = FENCE.exec(lines[i + 1] ?? '');
      if (!next || LANGUAGES[next[2]!.toLowerCase()] === undefined) {
        throw new Error(`${file}:${i + 1}: a not-run marker must be right before a js/ts code fence`);
      }
      continue;
    }
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, fence, info] = open as unknown as [string, string, string];
    if (info === '') throw new Error(`${file}:${i + 1}: a code fence without a language`);
    const close = lines.findIndex(
      (text, j) => j > i && new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(text),
    );
    if (close === -1) throw new Error(`${file}:${i + 1}: a code fence that is never closed`);
    const language = LANGUAGES[info.toLowerCase()];
    if (language !== undefined) {
      const notRun = NOT_RUN.exec(lines[i - 1] ?? '')?.[1]!.trim();
      const block: CodeBlock = { file, line: i + 1, language, code: lines.slice(i + 1, close).join('\n') + '\n' };
      if (notRun !== undefined) block.notRun = notRun;
      blocks.push(block);
    }
    i = close;
  }
  return blocks;
}
