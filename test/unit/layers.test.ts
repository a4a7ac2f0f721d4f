import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

/**
 * The layer rule (eslint.config.js: http -> modules -> cache/db -> platform, imports point down)
 * is only worth something if it fails. These lint one import as if it were written in an existing
 * file of each layer, with the repository's own config, and expect the rule to object to upward
 * imports and to let downward ones through.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULE = 'no-restricted-imports';

// Only the layer rule runs: the question is what it says, and the type-aware rules would only
// report the snippet's unused import.
const eslint = new ESLint({ cwd: REPO, ruleFilter: ({ ruleId }) => ruleId === RULE });

/** The layer rule's errors for an import of `from` written in `file` (a path relative to the repository). */
async function layerErrors(file: string, from: string): Promise<string[]> {
  const code = `import * as imported from '${from}';\n\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO, file) });
  assert.ok(result, `no lint result for ${file}`);
  // A file ESLint ignores, or cannot parse, would pass vacuously: those come without a rule id.
  const unlinted = result.messages.filter((m) => m.ruleId === null).map((m) => m.message);
  assert.deepEqual(unlinted, [], `${file} was not linted`);
  return result.messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);
}

// The lint program is built once for the first file; generous for a busy machine, not a speed check.
describe('layer rule', { timeout: 180_000 }, () => {
  const upward: [layer: string, file: string, from: string][] = [
    ['db imports http', 'app/db/pool.ts', '../http/errors.js'],
    ['db imports the composition root', 'app/db/pool.ts', '../config.js'],
    ['cache imports modules', 'app/cache/value-store.ts', '../modules/deps.js'],
    ['platform imports modules', 'app/platform/log.ts', '../modules/deps.js'],
    ['platform imports db', 'app/platform/semaphore.ts', '../db/pool.js'],
    ['a service imports http', 'app/modules/users/user-service.ts', '../../http/auth.js'],
    ['a service imports routes', 'app/modules/articles/article-service.ts', './article-routes.js'],
    ['a service imports the composition root', 'app/modules/users/user-service.ts', '../../config.js'],
    ['http imports the composition root', 'app/http/errors.ts', '../service.js'],
  ];
  for (const [layer, file, from] of upward) {
    it(`when ${layer} (${file}: '${from}'), then the layer rule reports an error`, async () => {
      const errors = await layerErrors(file, from);
      assert.equal(errors.length, 1, `expected one ${RULE} error, got: ${errors.join('; ') || 'none'}`);
      assert.match(errors[0] ?? '', /layers point down/);
    });
  }

  // The composition root is matched at any depth ('../config.js', '../../app.js'), not only at the
  // depth of each layer's usual files.
  const anyDepth: [layer: string, file: string, from: string][] = [
    ['routes import the composition root', 'app/modules/articles/article-routes.ts', '../../app.js'],
    ['a module-wide file imports the composition root', 'app/modules/deps.ts', '../config.js'],
    ['a migration imports the composition root', 'app/db/migrations/0001-initial-schema.ts', '../../config.js'],
  ];
  for (const [layer, file, from] of anyDepth) {
    it(`when ${layer} (${file}: '${from}'), then the layer rule reports an error`, async () => {
      assert.equal((await layerErrors(file, from)).length, 1);
    });
  }

  const downward: [layer: string, file: string, from: string][] = [
    ['db imports platform', 'app/db/pool.ts', '../platform/errors.js'],
    ['cache imports platform', 'app/cache/value-store.ts', '../platform/metrics.js'],
    ['a service imports db', 'app/modules/users/user-service.ts', '../../db/transaction.js'],
    ['a service imports cache', 'app/modules/users/user-service.ts', '../../cache/keys.js'],
    ['routes import their service', 'app/modules/articles/article-routes.ts', './article-service.js'],
    ['http imports modules', 'app/http/auth.ts', '../modules/users/tokens.js'],
    ['the composition root imports http', 'app/app.ts', './http/errors.js'],
  ];
  for (const [layer, file, from] of downward) {
    it(`when ${layer} (${file}: '${from}'), then the layer rule lets it through`, async () => {
      assert.deepEqual(await layerErrors(file, from), []);
    });
  }
});
