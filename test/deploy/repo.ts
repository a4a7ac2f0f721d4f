// Helpers for the deploy tests: repository paths, YAML loading, values-path lookup.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = join(import.meta.dirname, '../..');
export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
/** A YAML file, parsed; the caller names the shape it reads. */
export const loadYaml = (path: string): unknown => parse(read(path)) as unknown;
/** Every document of a multi-document YAML file, empty ones dropped. */
export const loadAllYaml = (path: string): unknown[] =>
  parseAllDocuments(read(path))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null);

/** Value at a dotted helm-style path ("image.pullPolicy"), or undefined when a key is absent. */
export function valueAt(values: unknown, dotted: string): unknown {
  let node: unknown = values;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The stages of a Dockerfile: name, base, and the instructions inside each. */
export interface Stage {
  name?: string;
  from: string;
  lines: string[];
}
export function dockerStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1] ?? '', name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}
