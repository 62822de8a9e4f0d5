// One run of typedoc with the repository's typedoc.json (what `pnpm run docs`
// runs), into another folder, with the undocumented-member check switched on so
// those members can be counted; its diagnostics are returned one per entry.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, readJson } from '@evkit/test-utils/workspace';

interface TypedocConfig {
  packageOptions?: { validation?: Record<string, boolean> };
}

export interface Diagnostic {
  level: 'warning' | 'error';
  /** The message, with the indented lines that follow it (typedoc's suggestions). */
  message: string;
}

export interface TypedocRun {
  status: number | null;
  /** A temporary folder holding the options and, in `api/`, the output; the caller removes it. */
  work: string;
  out: string;
  diagnostics: Diagnostic[];
  /** Everything typedoc printed, without colours. */
  output: string;
}

const UNDOCUMENTED = / does not have any documentation$/;
const SUMMARY = /^Found \d+ errors? and \d+ warnings?$/;

export function isUndocumented(message: string): boolean {
  return UNDOCUMENTED.test(message);
}

/** `Loop.run (CallSignature), defined in @evkit/loop/src/loop.ts, …` → `@evkit/loop`. */
export function packageOf(message: string): string {
  return /defined in (@evkit\/[a-z0-9-]+)\//.exec(message)?.[1] ?? '(unknown)';
}

/** Runs typedoc; one still running after `timeoutMs` is killed (and reported as an error). */
export async function runTypedoc(timeoutMs: number): Promise<TypedocRun> {
  const root = readJson<TypedocConfig>(join(REPO_ROOT, 'typedoc.json'));
  const work = mkdtempSync(join(tmpdir(), 'evkit-typedoc-'));
  const out = join(work, 'api');
  // packageOptions is replaced, not merged, by an extending config.
  const packageOptions = {
    ...root.packageOptions,
    validation: { ...root.packageOptions?.validation, notDocumented: true },
  };
  const options = join(work, 'typedoc.json');
  writeFileSync(
    options,
    JSON.stringify({ extends: [join(REPO_ROOT, 'typedoc.json')], packageOptions, treatWarningsAsErrors: false, out }),
  );
  const r = await new Promise<{ status: number | null; text: string }>((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/typedoc'), ['--options', options], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: timeoutMs,
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, text: signal ? `${text}\n[error] typedoc ended by ${signal}` : text }));
  });
  const output = r.text.replace(/\x1b\[[0-9;]*m/g, '');
  const diagnostics: Diagnostic[] = [];
  let current: Diagnostic | undefined;
  for (const line of output.split('\n')) {
    const head = /^\[(\w+)\] (.*)$/.exec(line);
    if (head) {
      const [, level, message] = head as unknown as [string, string, string];
      current = (level === 'warning' || level === 'error') && !SUMMARY.test(message) ? { level, message } : undefined;
      if (current) diagnostics.push(current);
    } else if (current && line.trim() !== '') {
      current.message += `\n${line}`;
    }
  }
  return { status: r.status, work, out, diagnostics, output };
}
