// Runs one README block the way a reader would: as an ES module of its own in a
// fresh Node process. The module file is written inside this package (in the
// gitignored .examples/) because Node resolves `@evkit/*` from the importing
// file's folder: from here that is this package's node_modules, which links the
// built workspace packages as an installed copy would. The process itself
// starts in an empty temporary folder, so files an example creates land there.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { CodeBlock } from './readme-blocks.js';

export const EXAMPLES_DIR = fileURLToPath(new URL('../.examples/', import.meta.url));

export interface ExampleRun {
  /** The module that ran (kept after the run, to rerun it by hand). */
  module: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The block as JavaScript; TypeScript has its types stripped (no type check). */
export function toJavaScript(block: CodeBlock): string {
  if (block.language === 'js') return block.code;
  const out = ts.transpileModule(block.code, {
    fileName: `${basename(block.file)}.ts`,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const problems = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (problems.length > 0) throw new Error(`${block.file}:${block.line}: ${problems.join('; ')}`);
  return out.outputText;
}

/** `packages/timer/README.md` line 23 → `packages-timer-README-23.mjs`. */
export function moduleName(block: CodeBlock): string {
  return `${block.file.replace(/\.md$/i, '').replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}.mjs`;
}

/**
 * Runs the block; resolves when its process has exited, or was killed after
 * `timeoutMs`. `stdin` is what the process reads on fd 0 before end of input.
 */
export async function runExample(block: CodeBlock, options: { timeoutMs: number; stdin: string }): Promise<ExampleRun> {
  mkdirSync(EXAMPLES_DIR, { recursive: true });
  const module = join(EXAMPLES_DIR, moduleName(block));
  writeFileSync(module, toJavaScript(block));
  const cwd = mkdtempSync(join(tmpdir(), 'evkit-readme-'));
  const started = performance.now();
  try {
    return await new Promise<ExampleRun>((resolve, reject) => {
      const child = spawn(process.execPath, [module], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      // An example that never reads its stdin closes the pipe early: not an error of the example.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin);
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ module, status, signal, timedOut, stdout, stderr, ms: performance.now() - started });
      });
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
