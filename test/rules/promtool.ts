/**
 * Drives promtool from tests: Debian's 2.42 (`promtool` on PATH, the version design.md holds the
 * rules to) and Prometheus 3's, which current kube-prometheus-stack runs. A missing 2.42 promtool
 * throws, so tests fail, never skip.
 *
 * Prometheus 3's promtool is the lab's build (scripts/lab/build.sh compiles it from the Go module
 * github.com/prometheus/prometheus v0.307.3 into LAB_DIR/bin/addons-<id>/promtool), or any
 * promtool 3 named by PROMTOOL3. Without one, the 3.x tests are skipped with a note, unless
 * BLOG_API_REQUIRE_PROMTOOL3=1 (scripts/lab/ci.sh sets it after the lab build), which makes its
 * absence a failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  status: number;
  output: string;
}

export function promtool(args: string[], cwd?: string, bin = 'promtool'): PromtoolResult {
  const res = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new Error(`cannot run ${bin} (${res.error.message}); source scripts/ensure-tools.sh first`);
  return { status: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

/** The version a promtool reports ("2.42.0", "3.7.3"), or undefined when it does not run. */
export function promtoolVersion(bin: string): string | undefined {
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) return undefined;
  return /version (\d+\.\d+\.\d+)/.exec(`${res.stdout}${res.stderr}`)?.[1];
}

/** Where a Prometheus 3 promtool is, if any: PROMTOOL3, else the newest lab build. */
export function findPromtool3(): { bin: string; version: string } | { missing: string } {
  const candidates: string[] = [];
  if (process.env.PROMTOOL3) candidates.push(process.env.PROMTOOL3);
  const binDir = path.join(process.env.LAB_DIR ?? path.join(homedir(), '.cache', 'blog-api-lab'), 'bin');
  if (existsSync(binDir)) {
    candidates.push(
      ...readdirSync(binDir)
        .filter((d) => d.startsWith('addons-') && !d.endsWith('.tmp'))
        .map((d) => path.join(binDir, d, 'promtool'))
        .filter((f) => existsSync(f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs),
    );
  }
  for (const bin of candidates) {
    const version = promtoolVersion(bin);
    if (version?.startsWith('3.')) return { bin, version };
  }
  return {
    missing: `no promtool 3 (PROMTOOL3 unset, none built in ${binDir}/addons-*: scripts/lab/build.sh --monitoring builds it)`,
  };
}

/** A temp dir removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Parses PromQL expressions with promtool (2.42 has no parse-only command): each expression
 * becomes a recording rule in a temp rules file for `promtool check rules`.
 */
export function checkExpressions(exprs: string[], bin = 'promtool'): PromtoolResult {
  const { dir, cleanup } = tempDir('promql-check-');
  try {
    const rules = exprs.map((expr, i) => ({ record: `promql_check:expr_${i}`, expr }));
    const file = path.join(dir, 'exprs.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'promql-check', rules }] }, { lineWidth: 0 }));
    return promtool(['check', 'rules', file], undefined, bin);
  } finally {
    cleanup();
  }
}
