// ESLint flat config: typescript-eslint's type-checked rules on app/, scripts/ and test/, plus the
// layer rule that keeps imports pointing down (app/README.md draws the layers).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The layers, top to bottom: the composition root (app/*.ts), http (app/http and the modules'
 * *-routes.ts), modules (services, queries, cache loaders, schemas), cache and db, platform.
 * Each entry forbids the imports that would point up from the files it names.
 */
/** The composition root (app/*.ts) at any depth: '../config.js', '../../app.js', ... */
const ROOT = {
  regex: String.raw`^(\.\./)+(app|config|main|service|rate-limits)\.js$`,
  message: 'layers point down: the composition root wires everything and is imported by nothing',
};
const group = (patterns, why) => ({ group: patterns, message: `layers point down: ${why}` });
const layerRule = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'coverage/', 'charts/', 'k8s/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers and booleans in template strings read fine and are what we log.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // `void promise` is how a deliberately unawaited promise is marked (no-floating-promises).
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // node:test's describe/it return promises the runner awaits itself.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
    },
  },
  {
    files: ['app/platform/**/*.ts'],
    rules: layerRule(
      ROOT,
      group(['**/http/**', '**/modules/**', '**/cache/**', '**/db/**'], 'platform/ is shared by every layer and imports none'),
    ),
  },
  {
    files: ['app/db/**/*.ts', 'app/cache/**/*.ts'],
    // The `npm run migrate` entry point, a composition root like main.ts.
    ignores: ['app/db/migrate-cli.ts'],
    rules: layerRule(
      ROOT,
      group(['**/http/**', '**/modules/**'], 'db/ and cache/ serve the modules and may use only platform/ (and each other)'),
    ),
  },
  {
    files: ['app/modules/**/*.ts'],
    ignores: ['app/modules/**/*-routes.ts'],
    rules: layerRule(ROOT, group(['**/http/**', '**/*-routes.js'], 'services, queries and cache loaders know nothing of HTTP')),
  },
  {
    files: ['app/http/**/*.ts', 'app/modules/**/*-routes.ts'],
    rules: layerRule(ROOT),
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
