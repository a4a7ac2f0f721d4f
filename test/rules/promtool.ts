/**
 * Drives Debian's promtool (2.42) from tests. A missing promtool throws, so tests fail, never skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  status: number;
  output: string;
}

export function promtool(args: string[], cwd?: string): PromtoolResult {
  const res = spawnSync('promtool', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new Error(`cannot run promtool (${res.error.message}); source scripts/ensure-tools.sh first`);
  return { status: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

/** A temp dir removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Parses PromQL expressions with promtool 2.42, which has no parse-only command: each expression
 * becomes a recording rule in a temp rules file for `promtool check rules`.
 */
export function checkExpressions(exprs: string[]): PromtoolResult {
  const { dir, cleanup } = tempDir('promql-check-');
  try {
    const rules = exprs.map((expr, i) => ({ record: `promql_check:expr_${i}`, expr }));
    const file = path.join(dir, 'exprs.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'promql-check', rules }] }, { lineWidth: 0 }));
    return promtool(['check', 'rules', file]);
  } finally {
    cleanup();
  }
}
