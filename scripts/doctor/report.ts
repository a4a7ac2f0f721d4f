// Renders results as the pass/fail table (with the fix under each failure) or as JSON.
import type { CheckResult, Status } from './types.js';

export interface ReportContext {
  release: string;
  namespace: string;
  /** kubeconfig context and API server the snapshot came from. */
  cluster: string;
}

const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function counts(results: readonly CheckResult[]): Record<Status, number> {
  const c: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

export function renderTable(ctx: ReportContext, results: readonly CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.title.length));
  const lines = [
    `blog-api doctor: release "${ctx.release}" in namespace "${ctx.namespace}" (${ctx.cluster})`,
    '',
    `STATUS  ${'CHECK'.padEnd(width)}  DETAIL`,
  ];
  for (const r of results) {
    lines.push(`${LABEL[r.status].padEnd(6)}  ${r.title.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`${' '.repeat(8 + width + 2)}fix: ${r.fix}`);
  }
  const c = counts(results);
  lines.push('', `${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped`);
  return lines.join('\n');
}

export function renderJson(ctx: ReportContext, results: readonly CheckResult[]): string {
  return JSON.stringify({ ...ctx, summary: counts(results), checks: results }, null, 2);
}
