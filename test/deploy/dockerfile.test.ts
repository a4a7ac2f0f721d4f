// The Dockerfile's contract, read statically (the podman build and run is scripts/image-test.sh,
// outside npm test): stages, base image, numeric user shared with the chart, exec-form CMD.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Stage, dockerStages, loadYaml, read, valueAt } from './repo.js';

const text = read('Dockerfile');
const stages = dockerStages(text);
function stage(name: string): Stage {
  const found = stages.find((s) => s.name === name);
  assert.ok(found, `no stage ${name}`);
  return found;
}

describe('Dockerfile', () => {
  it('builds on node:24-bookworm-slim through one ARG', () => {
    assert.match(text, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    for (const s of stages.filter((s) => !['build'].includes(s.from))) {
      assert.ok(s.from === '${NODE_IMAGE}' || stages.some((o) => o.name === s.from), `stage ${s.name} FROM ${s.from}`);
    }
  });
  it('has build, prod-deps, dev and runtime stages, runtime last (the default target)', () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ['build', 'prod-deps', 'dev', 'runtime'],
    );
    assert.ok(stage('build').lines.some((l) => /RUN .*npm ci( |$)/.test(l) && !l.includes('--omit=dev')));
    assert.ok(stage('build').lines.some((l) => l === 'RUN npm run build'));
    assert.ok(stage('prod-deps').lines.some((l) => l.includes('npm ci --omit=dev')));
    assert.equal(stage('dev').from, 'build');
  });
  it('runtime: numeric USER equal to the chart runAsUser, WORKDIR /app, package.json kept, node as PID 1 with source maps', () => {
    const rt = stage('runtime').lines;
    const user = rt.find((l) => l.startsWith('USER '))?.split(/\s+/)[1];
    assert.match(user ?? '', /^\d+$/);
    const values = loadYaml('charts/blog-api/values.yaml');
    assert.equal(String(valueAt(values, 'securityContext.runAsUser')), user);
    assert.ok(rt.includes('WORKDIR /app'));
    assert.ok(
      rt.some((l) => l.startsWith('COPY package.json')),
      'npm run migrate needs package.json',
    );
    // node as PID 1, with source maps so that stack traces name the TypeScript
    assert.equal(rt.filter((l) => l.startsWith('CMD ')).at(-1), 'CMD ["node", "--enable-source-maps", "dist/app/main.js"]');
    assert.ok(!rt.some((l) => l.startsWith('ENTRYPOINT')));
  });
  it('dev: runs tsx watch on the sources as the same user', () => {
    const dev = stage('dev').lines;
    assert.ok(dev.includes('USER 10001'));
    assert.match(dev.find((l) => l.startsWith('CMD ')) ?? '', /tsx", "watch", "app\/main\.ts"/);
  });
  it('.dockerignore lets in only what the build reads', () => {
    const lines = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '*');
    for (const keep of ['!package.json', '!package-lock.json', '!tsconfig.json', '!tsconfig.build.json', '!app/'])
      assert.ok(lines.includes(keep), keep);
    const copied = [...text.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
    for (const src of copied)
      assert.ok(lines.includes(`!${src.replace(/\/?$/, src === 'app' ? '/' : '')}`), `COPY ${src} is not let in`);
  });
});
