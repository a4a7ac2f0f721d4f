/**
 * Metric names referenced by a PromQL expression, found lexically: strings, label matchers, range
 * and subquery brackets, grouping clauses and numbers are removed, and what remains is a metric name
 * unless it is a keyword or followed by "(" (a function or aggregation). Good enough for the chart's
 * own queries, which promtool parses separately.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/(?<![A-Za-z0-9_:])\d[\d.]*(?:e[+-]?\d+)?/gi, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = s.slice(m.index + m[0].length);
    if (KEYWORDS.has(m[0]) || /^\s*\(/.test(rest)) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Grafana's built-in and dashboard variables → values PromQL accepts. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(?:rate_interval|interval|range)\b/g, '5m').replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, 'var_$1$2');
}
