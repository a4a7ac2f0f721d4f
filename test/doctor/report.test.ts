// The table and JSON output, and the exit code rule (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, exitCode } from '../../scripts/doctor/diagnose.js';
import { renderJson, renderTable } from '../../scripts/doctor/report.js';
import { healthySnapshot, serviceMonitor } from './fixtures.js';

const ctx = { release: 'blog-api', namespace: 'blog', cluster: 'fixtures, no cluster' };

describe('diagnose + report', () => {
  it('when the release is healthy, then every check passes and the exit code is 0', () => {
    const results = diagnose(healthySnapshot());
    assert.deepEqual(
      results.filter((r) => r.status !== 'pass').map((r) => r.id),
      [],
    );
    assert.equal(exitCode(results), 0);
    assert.match(renderTable(ctx, results), /12 passed, 0 warnings, 0 failed, 0 skipped$/);
  });
  it('when checks fail, then the fix is printed under each failure and the exit code is 1', () => {
    const s = healthySnapshot();
    s.serviceMonitors = [serviceMonitor({})];
    const results = diagnose(s);
    assert.equal(exitCode(results), 1);
    const table = renderTable(ctx, results).split('\n');
    const row = table.findIndex((l) => l.startsWith('FAIL') && l.includes('ServiceMonitor selected'));
    assert.ok(row > 0);
    assert.match(table[row + 1] ?? '', /^\s+fix: .*serviceMonitor\.labels\.release=kube-prometheus-stack/);
  });
  it('when there are only warnings, then the run does not fail', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    s.pods = [];
    const results = diagnose(s).filter((r) => r.id === 'migration-job');
    assert.equal(results[0]?.status, 'warn');
    assert.equal(exitCode(results), 0);
  });
  it('when rendered as JSON, then it carries the summary and the checks', () => {
    const parsed = JSON.parse(renderJson(ctx, diagnose(healthySnapshot()))) as { summary: { pass: number }; checks: unknown[] };
    assert.equal(parsed.summary.pass, 12);
    assert.equal(parsed.checks.length, 12);
  });
});
