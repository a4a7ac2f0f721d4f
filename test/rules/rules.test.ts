/**
 * The chart's PrometheusRule, extracted to a plain rules file: `promtool check rules`, the shape
 * design.md asks for (names, labels, annotations, no duplicates), and the `promtool test rules`
 * unit tests in this folder (*.promtest.yaml) run against it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  CHART_DIR,
  renderChart,
  ruleGroups,
  rulesFileYaml,
  type RenderOptions,
  type RuleGroup,
} from '../../scripts/chart-render.js';
import { findPromtool3, promtool, tempDir } from './promtool.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const UNIT_TESTS = readdirSync(HERE)
  .filter((f) => f.endsWith('.promtest.yaml'))
  .sort();
/** The unit tests' series carry job="blog-api",namespace="blog": render for that release. */
const RENDER: RenderOptions = { release: 'blog-api', namespace: 'blog', valuesFiles: ['ci/default-values.yaml'] };

const SLO_ALERTS = ['BlogApiAvailabilityBudgetBurn', 'BlogApiLatencyBudgetBurn'];
const CAUSE_ALERTS = ['BlogApiDbPoolSaturated', 'BlogApiCacheHitRatioLow', 'BlogApiNPlusOneQueries', 'BlogApiEventLoopLagHigh'];
/** The scrape target itself: critical when none is up, warning when some are down. */
const TARGET_ALERTS = ['BlogApiTargetDown'];

/**
 * The promtools every check runs under: Debian's 2.42 and Prometheus 3's (3.x normalises `le`,
 * left-opens range selectors, changed some functions). Without a promtool 3 its checks are
 * skipped, unless BLOG_API_REQUIRE_PROMTOOL3=1 (the lab step of CI), where they fail.
 */
const found3 = findPromtool3();
const require3 = process.env.BLOG_API_REQUIRE_PROMTOOL3 === '1';
const TOOLS: { label: string; bin: string; skip?: string }[] = [
  { label: 'promtool 2.42', bin: 'promtool' },
  'bin' in found3
    ? { label: `promtool ${found3.version}`, bin: found3.bin }
    : { label: 'promtool 3', bin: 'promtool3-missing', ...(require3 ? {} : { skip: found3.missing }) },
];

/** Writes rules.yaml (as rendered) and rules-bare.yaml (without annotations) plus the unit tests. */
function stage(dir: string, groups: RuleGroup[]): void {
  writeFileSync(path.join(dir, 'rules.yaml'), rulesFileYaml(groups));
  const bare = groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _omit, ...r }) => r) }));
  writeFileSync(path.join(dir, 'rules-bare.yaml'), rulesFileYaml(bare));
  for (const f of UNIT_TESTS) copyFileSync(path.join(HERE, f), path.join(dir, f));
}

describe('PrometheusRule as the chart renders it', () => {
  const groups = ruleGroups(renderChart(RENDER));
  const alerts = groups.flatMap((g) => g.rules.filter((r) => r.alert));
  const records = groups.flatMap((g) => g.rules.filter((r) => r.record));
  const { dir, cleanup } = tempDir('blog-api-rules-');
  before(() => stage(dir, groups));
  after(cleanup);

  for (const tool of TOOLS) {
    it(`when checked by ${tool.label}, then every rule passes check rules`, { skip: tool.skip }, () => {
      assert.ok(!('missing' in found3 && tool.bin === 'promtool3-missing'), 'missing' in found3 ? found3.missing : '');
      const res = promtool(['check', 'rules', 'rules.yaml'], dir, tool.bin);
      assert.equal(res.status, 0, res.output);
      assert.match(res.output, new RegExp(`SUCCESS: ${alerts.length + records.length} rules found`));
    });
  }

  it('when its groups are read, then none has labels (promtool 2.42 rejects them)', () => {
    for (const g of groups) assert.equal((g as unknown as Record<string, unknown>).labels, undefined, g.name);
  });

  it('when its alerts are listed, then they are exactly the alerts of design.md', () => {
    assert.deepEqual([...new Set(alerts.map((a) => a.alert))].sort(), [...SLO_ALERTS, ...CAUSE_ALERTS, ...TARGET_ALERTS].sort());
  });

  it('when an alert fires, then it carries severity, a fixed namespace, and summary/description/runbook_url/dashboard', () => {
    for (const a of alerts) {
      assert.match(a.labels?.severity ?? '', /^(critical|warning)$/, a.alert);
      assert.equal(a.labels?.namespace, 'blog', a.alert);
      for (const key of ['summary', 'description', 'runbook_url', 'dashboard'])
        assert.ok(a.annotations?.[key], `${a.alert}: ${key}`);
    }
    for (const name of CAUSE_ALERTS)
      assert.ok(
        alerts.filter((a) => a.alert === name).every((a) => a.labels?.severity === 'warning'),
        name,
      );
  });

  it('when an SLO burns its budget, then it pages (critical) and tickets (warning) once, labelled with slo', () => {
    for (const name of SLO_ALERTS) {
      const rules = alerts.filter((a) => a.alert === name);
      assert.deepEqual(rules.map((r) => r.labels?.severity).sort(), ['critical', 'warning'], name);
      assert.ok(
        rules.every((r) => r.labels?.slo),
        name,
      );
    }
  });

  it('when alerts are compared, then no two have the same name and labels', () => {
    const keys = alerts.map((a) => `${a.alert}${JSON.stringify(Object.entries(a.labels ?? {}).sort())}`);
    assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
  });

  it('when its recording rules are listed, then each SLO has Sloth-style error ratios for every burn-rate window', () => {
    for (const slo of ['availability', 'latency']) {
      const names = records.filter((r) => r.labels?.slo === slo).map((r) => r.record);
      for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'])
        assert.ok(names.includes(`slo:sli_error:ratio_rate${w}`), `${slo} ${w}`);
      for (const meta of ['slo:objective:ratio', 'slo:error_budget:ratio', 'slo:period_error_budget_remaining:ratio'])
        assert.ok(names.includes(meta), `${slo} ${meta}`);
    }
  });

  it('when the burn-rate alerts are read, then they use the windows and factors of design.md', () => {
    const expr = (severity: string) =>
      alerts.find((a) => a.alert === 'BlogApiAvailabilityBudgetBurn' && a.labels?.severity === severity)?.expr ?? '';
    for (const part of ['ratio_rate1h', 'ratio_rate5m', '(14.4 * 0.01)', 'ratio_rate6h', 'ratio_rate30m', '(6 * 0.01)'])
      assert.ok(expr('critical').includes(part), part);
    for (const part of ['ratio_rate1d', 'ratio_rate2h', '(3 * 0.01)', 'ratio_rate3d', 'ratio_rate6h', '(1 * 0.01)'])
      assert.ok(expr('warning').includes(part), part);
  });

  it('when a runbook_url is followed, then it points at a section of the chart README', () => {
    const readme = readFileSync(path.join(CHART_DIR, 'README.md'), 'utf8');
    const anchors = new Set(
      [...readme.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
        (m[1] ?? '')
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const a of alerts) {
      const anchor = a.annotations?.runbook_url?.split('#')[1] ?? '';
      assert.ok(anchors.has(anchor), `${a.alert}: no README section #${anchor}`);
    }
  });

  for (const tool of TOOLS) {
    for (const file of UNIT_TESTS) {
      it(`when ${tool.label} runs the unit tests of ${file}, then they pass`, { skip: tool.skip }, () => {
        assert.ok(!('missing' in found3 && tool.bin === 'promtool3-missing'), 'missing' in found3 ? found3.missing : '');
        const doc = parse(readFileSync(path.join(HERE, file), 'utf8')) as { tests: { interval?: string }[] };
        assert.ok(
          doc.tests.every((t) => t.interval === '1m'),
          'every unit-test group sets interval: 1m',
        );
        const res = promtool(['test', 'rules', file], dir, tool.bin);
        assert.equal(res.status, 0, res.output);
        assert.match(res.output, /SUCCESS/);
      });
    }
  }
});

describe('promtool unit tests can fail', () => {
  it('when a chart pages only at 100x burn, then the outage test fails (promtool 2.42)', () => {
    const slow = renderChart({
      ...RENDER,
      values: {
        slo: {
          burnRates: { page: [{ long: '1h', short: '5m', factor: 100 }], ticket: [{ long: '1d', short: '2h', factor: 3 }] },
        },
      },
    });
    const { dir, cleanup } = tempDir('blog-api-rules-broken-');
    try {
      stage(dir, ruleGroups(slow));
      const res = promtool(['test', 'rules', 'availability.promtest.yaml'], dir);
      assert.notEqual(res.status, 0);
      assert.match(res.output, /FAILED/);
    } finally {
      cleanup();
    }
  });
});
