/**
 * Prints the chart's PrometheusRule groups as a plain Prometheus rules file, e.g. to run
 * `promtool check rules` or a local Prometheus against them:
 *   npx tsx scripts/chart-rules.ts [-f values.yaml ...] [--namespace ns] [--release name] > rules.yaml
 */
import path from 'node:path';
import { renderChart, ruleGroups, rulesFileYaml } from './chart-render.js';

const valuesFiles: string[] = [];
let namespace: string | undefined;
let release: string | undefined;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  const next = argv[i + 1];
  if (next === undefined || !['-f', '--values', '--namespace', '--release'].includes(arg ?? '')) {
    console.error(`usage: chart-rules.ts [-f values.yaml]... [--namespace ns] [--release name] (at ${arg})`);
    process.exit(2);
  }
  if (arg === '--namespace') namespace = next;
  else if (arg === '--release') release = next;
  else valuesFiles.push(path.resolve(next));
  i++;
}
process.stdout.write(rulesFileYaml(ruleGroups(renderChart({ valuesFiles, namespace, release }))));
