// Label-selector semantics the selection checks rely on. Pure: no cluster is used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSelector, namespaceSelected, selects } from '../../scripts/doctor/selectors.js';

describe('selects', () => {
  it('matches everything with the empty selector', () => {
    assert.equal(selects({}, {}), true);
    assert.equal(selects({}, { a: 'b' }), true);
  });
  it('needs every matchLabels pair', () => {
    assert.equal(selects({ matchLabels: { release: 'kps' } }, { release: 'kps', x: 'y' }), true);
    assert.equal(selects({ matchLabels: { release: 'kps' } }, { release: 'prometheus' }), false);
    assert.equal(selects({ matchLabels: { release: 'kps' } }, {}), false);
  });
  it('applies In, NotIn, Exists and DoesNotExist', () => {
    const labels = { team: 'blog', tier: 'api' };
    assert.equal(selects({ matchExpressions: [{ key: 'team', operator: 'In', values: ['blog', 'x'] }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blog'] }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['blog'] }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] }, labels), false);
  });
});

describe('namespaceSelected (prometheus-operator rules)', () => {
  it('null selects only the Prometheus namespace', () => {
    assert.equal(namespaceSelected(null, 'monitoring', 'monitoring'), true);
    assert.equal(namespaceSelected(undefined, 'monitoring', 'blog'), false);
  });
  it('{} selects every namespace', () => {
    assert.equal(namespaceSelected({}, 'monitoring', 'blog'), true);
  });
  it('matches namespace labels, including kubernetes.io/metadata.name', () => {
    assert.equal(namespaceSelected({ matchLabels: { monitored: 'true' } }, 'monitoring', 'blog', { monitored: 'true' }), true);
    assert.equal(namespaceSelected({ matchLabels: { monitored: 'true' } }, 'monitoring', 'blog', {}), false);
    assert.equal(namespaceSelected({ matchLabels: { 'kubernetes.io/metadata.name': 'blog' } }, 'monitoring', 'blog'), true);
  });
});

describe('describeSelector', () => {
  it('reads like kubectl', () => {
    assert.equal(describeSelector({ matchLabels: { release: 'kps' } }), 'release=kps');
    assert.equal(describeSelector({}), '{} (everything)');
    assert.equal(describeSelector(null), 'null (nothing)');
    assert.equal(
      describeSelector({
        matchExpressions: [
          { key: 'a', operator: 'In', values: ['x', 'y'] },
          { key: 'b', operator: 'Exists' },
        ],
      }),
      'a in (x,y), b',
    );
  });
});
