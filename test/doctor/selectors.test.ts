// Label-selector semantics the selection checks rely on. Pure: no cluster is used.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSelector, namespaceSelected, selects } from '../../scripts/doctor/selectors.js';

describe('selects', () => {
  it('when the selector is empty, then it matches everything', () => {
    assert.equal(selects({}, {}), true);
    assert.equal(selects({}, { a: 'b' }), true);
  });
  it('when matchLabels has several pairs, then every pair is needed', () => {
    assert.equal(selects({ matchLabels: { release: 'kps' } }, { release: 'kps', x: 'y' }), true);
    assert.equal(selects({ matchLabels: { release: 'kps' } }, { release: 'prometheus' }), false);
    assert.equal(selects({ matchLabels: { release: 'kps' } }, {}), false);
  });
  it('when matchExpressions use In, NotIn, Exists and DoesNotExist, then each applies', () => {
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
  it('when the selector is null, then only the Prometheus namespace is selected', () => {
    assert.equal(namespaceSelected(null, 'monitoring', 'monitoring'), true);
    assert.equal(namespaceSelected(undefined, 'monitoring', 'blog'), false);
  });
  it('when the selector is {}, then every namespace is selected', () => {
    assert.equal(namespaceSelected({}, 'monitoring', 'blog'), true);
  });
  it('when the selector names labels, then namespace labels match, including kubernetes.io/metadata.name', () => {
    assert.equal(namespaceSelected({ matchLabels: { monitored: 'true' } }, 'monitoring', 'blog', { monitored: 'true' }), true);
    assert.equal(namespaceSelected({ matchLabels: { monitored: 'true' } }, 'monitoring', 'blog', {}), false);
    assert.equal(namespaceSelected({ matchLabels: { 'kubernetes.io/metadata.name': 'blog' } }, 'monitoring', 'blog'), true);
  });
});

describe('describeSelector', () => {
  it('when a selector is described, then it reads like kubectl', () => {
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
