import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChart, escapeXml, lineChart, logTicks } from '../../scripts/bench/svg.js';

/** Every opened element is closed or self-closed: a cheap well-formedness check for our own output. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name ?? '');
  }
  return stack.length === 0;
}

describe('bench SVG plots', () => {
  it('when text has markup characters, then it is escaped', () => {
    assert.equal(escapeXml('a < b & "c" > d'), 'a &lt; b &amp; &quot;c&quot; &gt; d');
  });

  it('when log ticks are asked for, then they are the powers of the base around the range', () => {
    assert.deepEqual(logTicks(16, 256, 2), [16, 32, 64, 128, 256]);
    assert.deepEqual(logTicks(3, 450, 10), [1, 10, 100, 1000]);
    assert.deepEqual(logTicks(16, 16, 2), [16, 32]);
  });

  it('when bars are drawn, then each scenario has a label, a bar and its value, and references are dashed lines', () => {
    const svg = barChart({
      title: 'Throughput <test>',
      subtitle: 'quick',
      unit: 'req/s',
      bars: [
        { label: 'ceiling', value: 10_000, kind: 'ceiling', note: '1.00x' },
        { label: 'list-anonymous', value: 2_000, kind: 'service', note: '0.20x ceiling' },
      ],
      references: [{ value: 6_000, label: 'target 0.6x' }],
    });
    assert.ok(balanced(svg));
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /Throughput &lt;test&gt;/);
    assert.match(svg, /10,000 req\/s · 1\.00x/);
    assert.match(svg, /2,000 req\/s · 0\.20x ceiling/);
    assert.equal((svg.match(/<rect /g) ?? []).length, 3); // background + 2 bars
    assert.match(svg, /stroke-dasharray="5 4"/);
  });

  it('when lines are drawn, then points, a cross for a bad step, the reference line and the knee marker appear', () => {
    const svg = lineChart({
      title: 'Knee',
      subtitle: 's',
      xLabel: 'connections',
      yLabel: 'ms',
      series: [
        {
          name: 'p99',
          color: '#000000',
          points: [
            { x: 16, y: 5 },
            { x: 64, y: 40 },
            { x: 256, y: 900, bad: true },
          ],
        },
      ],
      reference: { y: 400, label: 'p99 target 400 ms' },
      marker: { x: 256, label: 'knee' },
    });
    assert.ok(balanced(svg));
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
    assert.equal((svg.match(/<path d="M/g) ?? []).length, 1);
    assert.match(svg, /<polyline /);
    assert.match(svg, /p99 target 400 ms/);
    assert.match(svg, />knee</);
  });
});
