/**
 * Time series of the key metrics: a grid of small line charts (rows: metrics; columns: target,
 * ring, city) in one SVG, so that it exports as one picture. Each policy's run is a solid line in
 * its colour and the same-seed run without it a dashed line in the same colour, so the gap
 * between the two is the policy's effect. A sentence per chart is the text alternative.
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

export function renderCharts(svgEl: SVGSVGElement, lines: readonly Line[], years: number, describe: HTMLElement): void {
  const svg = d3.select(svgEl);
  const cols = CHART_REGIONS.length;
  const width = cols * (W + 10);
  const height = CHART_METRICS.length * (H + 10);
  svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height).attr('xmlns', 'http://www.w3.org/2000/svg').style('font-family', 'system-ui, sans-serif');
  svg.selectAll('*').remove();
  const sentences: string[] = [];
  CHART_METRICS.forEach((metric, row) => {
    CHART_REGIONS.forEach((region, col) => {
      const g = svg.append('g').attr('transform', `translate(${col * (W + 10)},${row * (H + 10)})`);
      const all: number[] = [];
      for (const l of lines) for (const f of l.frames) {
        const v = valueOf(f, region, metric);
        if (v !== undefined && Number.isFinite(v)) all.push(v);
      }
      const x = d3.scaleLinear().domain([0, Math.max(1, years)]).range([M.left, W - M.right]);
      const ext = all.length ? (d3.extent(all) as [number, number]) : [0, 1];
      const pad = (ext[1] - ext[0]) * 0.1 || Math.abs(ext[0]) * 0.05 || 0.01;
      const y = d3.scaleLinear().domain([ext[0] - pad, ext[1] + pad]).range([H - M.bottom, M.top]).nice();
      g.append('text').attr('x', M.left).attr('y', 12).attr('font-size', 11).attr('font-weight', 600).text(`${label(metric)} — ${region}`);
      if (!all.length) {
        // Regions other than the city exist once the programme draws its target.
        g.append('text').attr('x', M.left).attr('y', H / 2).attr('font-size', 10).attr('fill', '#555').text('no target yet: it is drawn when the programme starts');
        return;
      }
      g.append('g').attr('transform', `translate(0,${H - M.bottom})`).call(d3.axisBottom(x).ticks(5).tickSizeOuter(0)).attr('font-size', 9);
      g.append('g').attr('transform', `translate(${M.left},0)`).call(d3.axisLeft(y).ticks(4).tickFormat((v) => fmt(metric, Number(v)))).attr('font-size', 9);
      const parts: string[] = [];
      for (const l of lines) {
        const pts = l.frames
          .map((f) => [f.year, valueOf(f, region, metric)] as const)
          .filter((p): p is readonly [number, number] => p[1] !== undefined && Number.isFinite(p[1]));
        if (!pts.length) continue;
        g.append('path')
          .attr('d', d3.line<readonly [number, number]>().x((p) => x(p[0])).y((p) => y(p[1]))(pts))
          .attr('fill', 'none')
          .attr('stroke', l.colour)
          .attr('stroke-width', l.dashed ? 1.3 : 2)
          .attr('stroke-dasharray', l.dashed ? '4 3' : null);
        if (!l.dashed) {
          const first = pts[0]!;
          const last = pts.at(-1)!;
          parts.push(`${l.name} ${fmt(metric, first[1])} in year ${first[0]} to ${fmt(metric, last[1])} in year ${last[0]}`);
        }
      }
      if (parts.length) sentences.push(`${label(metric)} in the ${region}: ${parts.join('; ')}.`);
    });
  });
  describe.replaceChildren(...sentences.map((s) => Object.assign(document.createElement('li'), { textContent: s })));
}
