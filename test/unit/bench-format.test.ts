import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countBy,
  foldRuns,
  markdownTable,
  median,
  mib,
  ms,
  num,
  pct,
  peakOverlap,
  ratio,
  shareWithin,
  times,
  verdict,
} from '../../scripts/bench/format.js';

describe('bench format helpers', () => {
  it('when samples straddle a limit, then shareWithin counts those at or under it', () => {
    assert.equal(shareWithin([100, 400, 401, 900], 400), 0.5);
    assert.equal(shareWithin([], 400), 1);
  });

  it('when a side is missing or the divisor is zero, then ratio is undefined', () => {
    assert.equal(ratio(6, 3), 2);
    assert.equal(ratio(undefined, 3), undefined);
    assert.equal(ratio(3, 0), undefined);
    assert.equal(ratio(Number.NaN, 1), undefined);
  });

  it('when intervals overlap, then peakOverlap is the most open at once; touching ends do not overlap', () => {
    assert.equal(peakOverlap([]), 0);
    assert.equal(
      peakOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 6, end: 7 },
      ]),
      3,
    );
    assert.equal(
      peakOverlap([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
      1,
    );
  });

  it('when counting, then keys come out sorted', () => {
    assert.deepEqual(Object.entries(countBy([503, 200, 503], String)), [
      ['200', 1],
      ['503', 2],
    ]);
  });

  it('when values are unknown, then cells show a dash; known ones are rounded', () => {
    assert.equal(num(undefined), '–');
    assert.equal(num(2.345, 2), '2.35');
    assert.equal(ms(3.14159), '3.1');
    assert.equal(ms(1234.5), '1235');
    assert.equal(pct(0.99123, 2), '99.12%');
    assert.equal(times(2.5), '2.50×');
    assert.equal(times(42.4), '42×');
    assert.equal(times(undefined), '–');
    assert.equal(mib(256 * 1024 * 1024), '256');
  });

  it('when rendering a table, then pipes are escaped and a wrong row width is refused', () => {
    assert.equal(markdownTable(['a', 'b'], [['1', 'x|y']]), '| a | b |\n| --- | --- |\n| 1 | x\\|y |');
    assert.throws(() => markdownTable(['a', 'b'], [['1']]), /1 cells, header has 2/);
  });

  it('when judging against a target, then lower-is-better is strict and higher-is-better inclusive', () => {
    assert.equal(verdict(399, 400, 'lower'), 'met');
    assert.equal(verdict(400, 400, 'lower'), 'NOT met');
    assert.equal(verdict(0.99, 0.99, 'higher'), 'met');
    assert.equal(verdict(undefined, 1, 'higher'), 'no data');
  });

  it('when values are given, then median is the middle one (mean of the two middle ones for an even count)', () => {
    assert.equal(median([]), undefined);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('when runs are folded, then numbers take the median key by key, sums add what is there, arrays concatenate', () => {
    const runs = [
      { n: 1, label: 'a', lat: { p99: 30 }, statuses: { '200': 5 }, notes: ['x'] },
      { n: 9, label: 'b', lat: { p99: 10 }, statuses: { '200': 4, '503': 1 }, notes: ['y'] },
      { n: 5, label: 'c', lat: { p99: 20 }, statuses: { '200': 6 }, notes: [] },
    ];
    assert.deepEqual(foldRuns(runs), { n: 5, label: 'a', lat: { p99: 20 }, statuses: { '200': 5, '503': 1 }, notes: ['x', 'y'] });
    assert.deepEqual(
      foldRuns(
        runs.map((r) => r.statuses),
        'sum',
      ),
      { '200': 15, '503': 1 },
    );
    assert.deepEqual(foldRuns([{ v: undefined }, { v: 4 }]), { v: 4 });
  });
});
