/**
 * The two plots of the report, as hand-written SVG (pure; test/unit/bench-svg.test.ts). Two chart
 * shapes are all the report needs, so a plotting dependency would not earn its place.
 */

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const COLORS = { ceiling: '#8c8c8c', service: '#2f6fb0', mix: '#d08a2b', good: '#2f6fb0', bad: '#c0392b', grid: '#e3e3e3' };

/** Text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. "0.16x ceiling". */
  note?: string;
  kind: 'ceiling' | 'service' | 'mix';
}

export interface BarChart {
  title: string;
  subtitle: string;
  unit: string;
  bars: readonly Bar[];
  /** Vertical dashed lines, e.g. the 0.6x-ceiling target. */
  references?: readonly { value: number; label: string }[];
}

/** Horizontal bars, one per scenario, longest scale = the largest bar or reference. */
export function barChart(chart: BarChart): string {
  const width = 820;
  const left = 230;
  const right = 40;
  const top = 64;
  const row = 30;
  const plotWidth = width - left - right;
  const height = top + chart.bars.length * row + 30 + (chart.references ?? []).length * 16;
  const max = Math.max(1, ...chart.bars.map((b) => b.value), ...(chart.references ?? []).map((r) => r.value));
  const x = (v: number) => left + (Math.max(0, v) / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600">${escapeXml(chart.title)}</text>`,
    `<text x="16" y="44" fill="#555555">${escapeXml(chart.subtitle)}</text>`,
  ];
  // References first, so bars and their labels sit on top; labels staggered so they never overlap.
  const bottom = top + chart.bars.length * row;
  for (const [i, ref] of (chart.references ?? []).entries()) {
    const rx = x(ref.value).toFixed(1);
    parts.push(
      `<line x1="${rx}" y1="${top - 4}" x2="${rx}" y2="${bottom + 4 + i * 16}" stroke="${COLORS.bad}" stroke-dasharray="5 4"/>`,
      `<text x="${rx}" y="${bottom + 18 + i * 16}" text-anchor="middle" fill="${COLORS.bad}">${escapeXml(ref.label)}</text>`,
    );
  }
  for (const [i, bar] of chart.bars.entries()) {
    const y = top + i * row;
    const w = x(bar.value) - left;
    parts.push(
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${row - 10}" fill="${COLORS[bar.kind]}"/>`,
    );
    const text = `${Math.round(bar.value).toLocaleString('en-US')} ${chart.unit}${bar.note ? ` · ${bar.note}` : ''}`;
    // Inside the bar when it is long enough, else after it.
    const inside = w > plotWidth * 0.55;
    parts.push(
      `<text x="${(inside ? left + w - 6 : left + w + 6).toFixed(1)}" y="${y + 17}" text-anchor="${inside ? 'end' : 'start'}" fill="${inside ? '#ffffff' : '#222222'}">${escapeXml(text)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export interface Point {
  x: number;
  y: number;
  /** Drawn as a red cross (e.g. a step with errors). */
  bad?: boolean;
}

export interface LineChart {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: readonly { name: string; color: string; points: readonly Point[] }[];
  /** A horizontal dashed line (e.g. p99 = 400 ms). */
  reference?: { y: number; label: string };
  /** A vertical marker (e.g. the knee). */
  marker?: { x: number; label: string };
}

/** Powers of `base` from the one at or below `min` to the one at or above `max`. */
export function logTicks(min: number, max: number, base: number): number[] {
  const lo = Math.floor(Math.log(Math.max(min, 1e-9)) / Math.log(base) + 1e-9);
  const hi = Math.ceil(Math.log(Math.max(max, min, 1e-9)) / Math.log(base) - 1e-9);
  const ticks: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1) && ticks.length < 40; e += 1) ticks.push(base ** e);
  return ticks;
}

/** Lines on log-log axes: x in powers of 2 (connections), y in powers of 10 (milliseconds). */
export function lineChart(chart: LineChart): string {
  const width = 820;
  const height = 460;
  const left = 70;
  const right = 30;
  const top = 64;
  const bottom = 56;
  const points = chart.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  const xs = points.map((p) => p.x);
  const ys = [...points.map((p) => p.y), ...(chart.reference ? [chart.reference.y] : [])];
  const xTicks = logTicks(Math.min(...xs, 16), Math.max(...xs, 16), 2);
  const yTicks = logTicks(Math.min(...ys, 1), Math.max(...ys, 10), 10);
  const [x0, x1] = [xTicks[0] ?? 1, xTicks.at(-1) ?? 2];
  const [y0, y1] = [yTicks[0] ?? 1, yTicks.at(-1) ?? 10];
  const px = (v: number) => left + ((Math.log(v) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (width - left - right);
  const py = (v: number) =>
    height - bottom - ((Math.log(v) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600">${escapeXml(chart.title)}</text>`,
    `<text x="16" y="44" fill="#555555">${escapeXml(chart.subtitle)}</text>`,
  ];
  for (const t of xTicks) {
    const X = px(t).toFixed(1);
    parts.push(
      `<line x1="${X}" y1="${top}" x2="${X}" y2="${height - bottom}" stroke="${COLORS.grid}"/>`,
      `<text x="${X}" y="${height - bottom + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    const Y = py(t).toFixed(1);
    parts.push(
      `<line x1="${left}" y1="${Y}" x2="${width - right}" y2="${Y}" stroke="${COLORS.grid}"/>`,
      `<text x="${left - 6}" y="${Y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text x="18" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + height - bottom) / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  if (chart.reference) {
    const Y = py(chart.reference.y).toFixed(1);
    parts.push(
      `<line x1="${left}" y1="${Y}" x2="${width - right}" y2="${Y}" stroke="${COLORS.bad}" stroke-dasharray="6 4"/>`,
      `<text x="${width - right - 4}" y="${(py(chart.reference.y) - 6).toFixed(1)}" text-anchor="end" fill="${COLORS.bad}">${escapeXml(chart.reference.label)}</text>`,
    );
  }
  if (chart.marker && chart.marker.x > 0) {
    const X = px(chart.marker.x).toFixed(1);
    parts.push(
      `<line x1="${X}" y1="${top}" x2="${X}" y2="${height - bottom}" stroke="${COLORS.bad}" stroke-width="2" opacity="0.5"/>`,
      `<text x="${X}" y="${top - 6}" text-anchor="middle" fill="${COLORS.bad}">${escapeXml(chart.marker.label)}</text>`,
    );
  }
  for (const [i, s] of chart.series.entries()) {
    const pts = [...s.points].filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x);
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of pts) {
      const [X, Y] = [px(p.x).toFixed(1), py(p.y).toFixed(1)];
      parts.push(
        p.bad
          ? `<path d="M${Number(X) - 5},${Number(Y) - 5} l10,10 m0,-10 l-10,10" stroke="${COLORS.bad}" stroke-width="2.5"/>`
          : `<circle cx="${X}" cy="${Y}" r="3.5" fill="${s.color}"/>`,
      );
    }
    // Legend, top right.
    const ly = top + 4 + i * 18;
    parts.push(
      `<line x1="${width - right - 150}" y1="${ly}" x2="${width - right - 126}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${width - right - 120}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
