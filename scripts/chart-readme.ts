/**
 * Keeps the values table of charts/blog-api/README.md in step with values.yaml: every key with a
 * `# -- description` comment becomes a row (key, type, default, description), helm-docs style.
 * Run after editing values.yaml: npx tsx scripts/chart-readme.ts (test/chart/readme.test.ts checks it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const CHART_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'blog-api');
export const README = path.join(CHART_DIR, 'README.md');
const START = '<!-- values-table:start -->';
const END = '<!-- values-table:end -->';

function lookup(values: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values);
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function valuesTable(valuesYaml: string): string {
  const values = parse(valuesYaml) as unknown;
  const rows: string[] = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  const stack: { indent: number; key: string }[] = [];
  let pending: string[] | null = null;
  for (const line of valuesYaml.split('\n')) {
    const comment = /^\s*# -- (.*)$/.exec(line);
    if (comment) {
      pending = [comment[1] ?? ''];
      continue;
    }
    const more = /^\s*# (.*)$/.exec(line);
    if (more && pending) {
      pending.push(more[1] ?? '');
      continue;
    }
    const entry = /^(\s*)([A-Za-z0-9_]+):/.exec(line);
    if (!entry) {
      if (!/^\s*-/.test(line)) pending = null;
      continue;
    }
    const [, leading = '', key = ''] = entry;
    const indent = leading.length;
    while ((stack.at(-1)?.indent ?? -1) >= indent) stack.pop();
    stack.push({ indent, key });
    if (pending) {
      const keys = stack.map((s) => s.key);
      const value = lookup(values, keys);
      const shown = JSON.stringify(value).replace(/\|/g, '\\|');
      rows.push(`| \`${keys.join('.')}\` | ${typeOf(value)} | \`${shown}\` | ${pending.join(' ').replace(/\|/g, '\\|')} |`);
      pending = null;
    }
  }
  return rows.join('\n');
}

/** README with its values table regenerated. */
export function renderReadme(readme: string, valuesYaml: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README lacks ${START} ... ${END}`);
  return `${readme.slice(0, start + START.length)}\n${valuesTable(valuesYaml)}\n${readme.slice(end)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const valuesYaml = readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8');
  writeFileSync(README, renderReadme(readFileSync(README, 'utf8'), valuesYaml));
  console.log(`updated the values table of ${path.relative(process.cwd(), README)}`);
}
