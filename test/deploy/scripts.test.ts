// Every shell script passes shellcheck, and the bring-up scripts name missing tools instead of
// failing halfway. shellcheck must be installed (.ci/run installs it; apt-get install shellcheck).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './repo.js';

// every shell script of the repository's script folders, the lab's (scripts/lab/**) included
const scripts = ['scripts', 'k8s']
  .flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.sh') && !f.includes('node_modules'))
      .map((f) => `${dir}/${f}`),
  )
  .sort();

describe('shellcheck', () => {
  it('covers the lab scripts', () => {
    for (const s of ['scripts/lab/up.sh', 'scripts/lab/down.sh', 'scripts/lab/ci.sh', 'scripts/lab/images/mariadb/entrypoint.sh'])
      assert.ok(scripts.includes(s), s);
  });
  it('is installed', () => {
    const r = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, 'shellcheck is missing: apt-get install shellcheck');
  });
  for (const script of scripts) {
    it(script, () => {
      const r = spawnSync('shellcheck', ['-x', script], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.error, undefined, 'shellcheck is missing: apt-get install shellcheck');
      assert.equal(r.status, 0, r.stdout);
    });
  }
});

describe('bring-up scripts without their tools', () => {
  // A PATH holding only what the scripts need before their tool check.
  const bin = mkdtempSync(join(tmpdir(), 'deploy-path-'));
  symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
  for (const [script, tools] of [
    ['scripts/kind-up.sh', ['docker', 'kind', 'kubectl']],
    ['scripts/minikube-up.sh', ['minikube', 'docker', 'kubectl']],
    ['scripts/kind-down.sh', ['kind']],
  ] as const) {
    it(`${script} names ${tools.join(', ')} and stops`, () => {
      const r = spawnSync('/bin/bash', [script], { cwd: ROOT, encoding: 'utf8', env: { PATH: bin, HOME: bin }, timeout: 10_000 });
      assert.equal(r.status, 1);
      for (const tool of tools) assert.match(r.stderr, new RegExp(`missing: ${tool}\\b`));
    });
  }
});
