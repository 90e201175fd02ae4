/**
 * Time series of the key metrics: a grid of small line charts (rows: metrics; columns: target,
 * ring, city), each an SVG of its own so that the browser repaints only the charts that changed
 * (one SVG of twelve charts was repainted whole for each); `exportSvg` puts them together as one
 * picture. Each policy's run is a solid line in its colour and the same-seed run without it a
 * dashed line in the same colour, so the gap between the two is the policy's effect. A sentence
 * per chart is the text alternative.
 */
import * as d3 from 'd3';
import type { YearFrame } from '../sim/types.ts';
import { fmt, label } from './format.ts';

export interface Line {
  name: string;
  colour: string;
  dashed: boolean;
  frames: readonly YearFrame[];
}

export const CHART_METRICS = ['povertyRate', 'unemploymentRate', 'medianIncome', 'meanRent'] as const;
export const CHART_REGIONS = ['target', 'ring', 'city'] as const;

const W = 210;
const H = 120;
const M = { top: 20, right: 8, bottom: 20, left: 52 };

type Region = (typeof CHART_REGIONS)[number];
const valueOf = (f: YearFrame, region: Region, metric: string): number | undefined => (f[region] as Record<string, number> | undefined)?.[metric];

export interface ChartsView {
  /** Sets the lines to draw; `flush` draws them. */
  set(lines: readonly Line[], years: number): void;
  /**
   * Draws at most `maxCharts` of the charts whose lines changed since they were drawn, and, once
   * all are drawn, the text alternative. Returns true when nothing is left to draw.
   */
  flush(maxCharts: number): boolean;
  readonly pending: boolean;
  /** The charts as one SVG picture, laid out as on the page (for the downloads). */
  exportSvg(): SVGSVGElement;
}

interface Chart {
  metric: string;
  region: Region;
  g: d3.Selection<SVGGElement, unknown, null, undefined>;
  empty: d3.Selection<SVGTextElement, unknown, null, undefined>;
  xAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  yAxis: d3.Selection<SVGGElement, unknown, null, undefined>;
  paths: SVGPathElement[];
  /** The y domain its axis shows ('' before it is drawn). */
  yKey: string;
  sentence: string;
}

/**
 * The charts drawn once and then updated in place: a new year only changes each line's path and,
 * when the values leave the rounded y domain, that chart's y axis. The skeleton (titles, x axes,
 * one path per line) is built again only when the lines or the number of years change.
 */
export function createCharts(container: HTMLElement, describe: HTMLElement): ChartsView {
  const root = d3.select(container);
  const cols = CHART_REGIONS.length;
  const width = cols * (W + 10);
  const height = CHART_METRICS.length * (H + 10);
  // The page lays the charts out three a row, as the exported picture does (style.css).
  root.style('--charts-width', `${width}px`);
  let skeletonKey = '';
  let charts: Chart[] = [];
  let lines: readonly Line[] = [];
  let years = 1;
  /** Charts still to draw, in order; then the text alternative. */
  let queue: Chart[] = [];
  let textPending = false;

  function build(): void {
    root.selectAll('*').remove();
    charts = [];
    const x = d3.scaleLinear().domain([0, Math.max(1, years)]).range([M.left, W - M.right]);
    CHART_METRICS.forEach((metric) => {
      CHART_REGIONS.forEach((region) => {
        const g = root
          .append('svg')
          .attr('class', 'chart')
          .attr('aria-hidden', 'true')
          .attr('xmlns', 'http://www.w3.org/2000/svg')
          .attr('viewBox', `0 0 ${W} ${H}`)
          .attr('width', W)
          .attr('height', H)
          .style('font-family', 'system-ui, sans-serif')
          .append('g');
        g.append('text').attr('x', M.left).attr('y', 12).attr('font-size', 11).attr('font-weight', 600).text(`${label(metric)} — ${region}`);
        // Regions other than the city exist once the programme draws its target.
        const empty = g.append('text').attr('x', M.left).attr('y', H / 2).attr('font-size', 10).attr('fill', '#555').text('no target yet: it is drawn when the programme starts');
        const xAxis = g.append('g').attr('transform', `translate(0,${H - M.bottom})`).attr('display', 'none');
        xAxis.call(d3.axisBottom(x).ticks(5).tickSizeOuter(0)).attr('font-size', 9);
        const yAxis = g.append('g').attr('transform', `translate(${M.left},0)`).attr('font-size', 9);
        const paths = lines.map((l) =>
          g
            .append('path')
            .attr('fill', 'none')
            .attr('stroke', l.colour)
            .attr('stroke-width', l.dashed ? 1.3 : 2)
            .attr('stroke-dasharray', l.dashed ? '4 3' : null)
            .node()!,
        );
        charts.push({ metric, region, g, empty, xAxis, yAxis, paths, yKey: '', sentence: '' });
      });
    });
  }

  function draw(c: Chart): void {
    const { metric, region } = c;
    const x = d3.scaleLinear().domain([0, Math.max(1, years)]).range([M.left, W - M.right]);
    let lo = Infinity, hi = -Infinity;
    for (const l of lines) for (const f of l.frames) {
      const v = valueOf(f, region, metric);
      if (v !== undefined && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (lo > hi) {
      c.empty.attr('display', null);
      c.xAxis.attr('display', 'none');
      c.yAxis.attr('display', 'none');
      for (const p of c.paths) p.removeAttribute('d');
      c.yKey = '';
      c.sentence = '';
      return;
    }
    c.empty.attr('display', 'none');
    c.xAxis.attr('display', null);
    c.yAxis.attr('display', null);
    const pad = (hi - lo) * 0.1 || Math.abs(lo) * 0.05 || 0.01;
    const y = d3.scaleLinear().domain([lo - pad, hi + pad]).range([H - M.bottom, M.top]).nice();
    const yKey = y.domain().join(',');
    if (yKey !== c.yKey) {
      c.yKey = yKey;
      c.yAxis.call(d3.axisLeft(y).ticks(4).tickFormat((v) => fmt(metric, Number(v))));
    }
    const parts: string[] = [];
    lines.forEach((l, k) => {
      const pts = l.frames
        .map((f) => [f.year, valueOf(f, region, metric)] as const)
        .filter((p): p is readonly [number, number] => p[1] !== undefined && Number.isFinite(p[1]));
      const path = c.paths[k]!;
      if (!pts.length) {
        path.removeAttribute('d');
        return;
      }
      const d = d3.line<readonly [number, number]>().x((p) => x(p[0])).y((p) => y(p[1]))(pts) ?? '';
      if (path.getAttribute('d') !== d) path.setAttribute('d', d);
      if (!l.dashed) {
        const first = pts[0]!;
        const last = pts.at(-1)!;
        parts.push(`${l.name} ${fmt(metric, first[1])} in year ${first[0]} to ${fmt(metric, last[1])} in year ${last[0]}`);
      }
    });
    c.sentence = parts.length ? `${label(metric)} in the ${region}: ${parts.join('; ')}.` : '';
  }

  function writeText(): void {
    const sentences = charts.map((c) => c.sentence).filter((s) => s);
    const items = describe.children;
    if (items.length !== sentences.length) {
      describe.replaceChildren(...sentences.map((s) => Object.assign(document.createElement('li'), { textContent: s })));
      return;
    }
    sentences.forEach((s, i) => {
      if (items[i]!.textContent !== s) items[i]!.textContent = s;
    });
  }

  return {
    set(next, nextYears) {
      lines = next;
      years = nextYears;
      const key = `${years}|${next.map((l) => `${l.name}:${l.colour}:${l.dashed}`).join('|')}`;
      if (key !== skeletonKey) {
        skeletonKey = key;
        build();
      }
      queue = [...charts];
      textPending = true;
    },
    flush(maxCharts) {
      for (let k = 0; k < maxCharts && queue.length; k++) draw(queue.shift()!);
      if (!queue.length && textPending) {
        textPending = false;
        writeText();
      }
      return !queue.length && !textPending;
    },
    get pending() {
      return queue.length > 0 || textPending;
    },
    exportSvg() {
      const out = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      out.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
      out.setAttribute('viewBox', `0 0 ${width} ${height}`);
      out.setAttribute('width', String(width));
      out.setAttribute('height', String(height));
      out.setAttribute('style', 'font-family: system-ui, sans-serif');
      out.setAttribute('aria-label', describe.textContent ?? '');
      charts.forEach((c, i) => {
        const copy = c.g.node()!.cloneNode(true) as SVGGElement;
        copy.setAttribute('transform', `translate(${(i % cols) * (W + 10)},${Math.floor(i / cols) * (H + 10)})`);
        out.append(copy);
      });
      return out;
    },
  };
}
