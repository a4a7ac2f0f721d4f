import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCopies } from '../../app/cache/page-copies.js';

const copyOf = (digest: string, bytes: number) => ({ digest, page: Buffer.alloc(bytes, digest) });

describe('page copies kept by the process', () => {
  it('when more pages are kept than the count allows, then the ones kept longest ago are forgotten', () => {
    const copies = new PageCopies({ pages: 2, bytes: 1024 });
    copies.keep('a', copyOf('1', 10));
    copies.keep('b', copyOf('2', 10));
    copies.keep('c', copyOf('3', 10));
    assert.equal(copies.get('a'), undefined);
    assert.equal(copies.get('b')?.digest, '2');
    assert.equal(copies.get('c')?.digest, '3');
  });

  it('when the kept bytes pass the limit, then the oldest copies go until the rest fit', () => {
    const copies = new PageCopies({ pages: 10, bytes: 100 });
    copies.keep('a', copyOf('1', 40));
    copies.keep('b', copyOf('2', 40));
    copies.keep('c', copyOf('3', 90));
    assert.equal(copies.get('a'), undefined);
    assert.equal(copies.get('b'), undefined);
    assert.equal(copies.get('c')?.page.length, 90);
  });

  it('when a page is kept again, then its old bytes stop counting and it becomes the newest', () => {
    const copies = new PageCopies({ pages: 2, bytes: 100 });
    copies.keep('a', copyOf('1', 60));
    copies.keep('b', copyOf('2', 30));
    // Replacing a's 60 bytes by 50 leaves 80 kept: nothing is forgotten, and a is now the newest.
    copies.keep('a', copyOf('3', 50));
    assert.equal(copies.get('a')?.digest, '3');
    assert.equal(copies.get('b')?.digest, '2');
    copies.keep('c', copyOf('4', 10));
    assert.equal(copies.get('b'), undefined, 'b, kept longest ago, goes first');
    assert.equal(copies.get('a')?.digest, '3');
  });
});
