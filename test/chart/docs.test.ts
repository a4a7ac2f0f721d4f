/**
 * The chart's words: README values table in step with values.yaml, every value documented, and
 * NOTES.txt telling how to reach the API, dashboards and alerts. (`helm template` skips NOTES.txt
 * and `helm install --dry-run` needs a cluster, so a copy of the chart renders it through `tpl`.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { CHART_DIR, helm, templateArgs } from '../../scripts/chart-render.js';
import { README, renderReadme } from '../../scripts/chart-readme.js';
import { tempDir } from '../rules/promtool.js';

function renderNotes(valuesFile: string, monitoringApis: boolean, values?: Record<string, unknown>): string {
  const { dir, cleanup } = tempDir('blog-api-notes-');
  try {
    const chart = path.join(dir, 'blog-api');
    cpSync(CHART_DIR, chart, { recursive: true });
    renameSync(path.join(chart, 'templates', 'NOTES.txt'), path.join(chart, 'notes-source.txt'));
    writeFileSync(
      path.join(chart, 'templates', 'notes-rendered.yaml'),
      'notes: |\n{{ tpl (.Files.Get "notes-source.txt") . | indent 2 }}\n',
    );
    const args = templateArgs({ valuesFiles: [valuesFile], monitoringApis, values }).map((a) =>
      a === CHART_DIR ? chart : a.replace(CHART_DIR, chart),
    );
    const out = helm([...args, '--show-only', 'templates/notes-rendered.yaml'], values ? stringify(values) : undefined);
    return (parse(out) as { notes: string }).notes;
  } finally {
    cleanup();
  }
}

describe('chart docs', () => {
  it('README values table matches values.yaml (npx tsx scripts/chart-readme.ts)', () => {
    const readme = readFileSync(README, 'utf8');
    assert.equal(readme, renderReadme(readme, readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')));
  });

  it('documents every leaf of values.yaml (a row for it or for a parent)', () => {
    const readme = readFileSync(README, 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? ''));
    const undocumented: string[] = [];
    const walk = (v: unknown, keys: string[]): void => {
      const key = keys.join('.');
      if (keys.length && documented.has(key)) return;
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
        for (const [k, child] of Object.entries(v)) walk(child, [...keys, k]);
      } else undocumented.push(key);
    };
    walk(parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')), []);
    assert.deepEqual(undocumented, []);
  });

  it('NOTES.txt says how to reach the API, the migrations, data, dashboards and alerts', () => {
    const notes = renderNotes('ci/default-values.yaml', true);
    assert.match(notes, /port-forward svc\/blog-api 8080:80/);
    assert.match(notes, /logs deploy\/blog-api -c migrate/);
    assert.match(notes, /In-chart MySQL blog-api-mysql .*deleted with the release/);
    assert.match(notes, /Secret blog-api/);
    assert.match(notes, /Alerts: BlogApiAvailabilityBudgetBurn, BlogApiLatencyBudgetBurn, BlogApiDbPoolSaturated/);
    assert.match(notes, /\/d\/blog-api-slo/);
    assert.doesNotMatch(notes, /WARNING/);
    // the default image is local: say so, and how to get it onto the node
    assert.match(notes, /blog-api:0\.1\.0 is a local image \(pullPolicy Never\)/);
  });

  it('NOTES.txt names only the alerts that are enabled', () => {
    const notes = renderNotes('ci/default-values.yaml', true, {
      causeAlerts: { nPlusOneQueries: { enabled: false }, eventLoopLagHigh: { enabled: false } },
    });
    assert.doesNotMatch(notes, /BlogApiNPlusOneQueries|BlogApiEventLoopLagHigh/);
    assert.match(notes, /BlogApiCacheHitRatioLow/);
  });

  it('NOTES.txt claims the AlertmanagerConfig only when its API exists', () => {
    const on = { alertmanagerConfig: { enabled: true } };
    assert.match(renderNotes('ci/default-values.yaml', true, on), /AlertmanagerConfig blog-api routes BlogApi\* alerts/);
    const without = renderNotes('ci/default-values.yaml', false, on);
    assert.doesNotMatch(without, /routes BlogApi/);
    assert.match(
      without,
      /WARNING: alertmanagerConfig.enabled but the monitoring.coreos.com\/v1alpha1 AlertmanagerConfig API is absent/,
    );
  });

  it('NOTES.txt warns when monitoring is on but the CRDs are missing', () => {
    assert.match(
      renderNotes('ci/default-values.yaml', false),
      /WARNING: serviceMonitor.enabled but the monitoring.coreos.com\/v1 ServiceMonitor API is absent/,
    );
  });
});
