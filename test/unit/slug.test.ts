import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slugify, uniqueSlug } from '../../app/modules/articles/slug.js';

describe('slugs', () => {
  it('when a title is slugified, then it is lowercase ASCII words joined by dashes, never empty', () => {
    assert.equal(slugify('How to train your dragon!'), 'how-to-train-your-dragon');
    assert.equal(slugify('  Crème brûlée — à la carte  '), 'creme-brulee-a-la-carte');
    assert.equal(slugify('!!!'), 'article');
    assert.equal(slugify('日本語'), 'article');
    assert.ok(slugify('x'.repeat(500)).length <= 200);
    assert.match(uniqueSlug('same'), /^same-[0-9a-f]{8}$/);
  });
});
