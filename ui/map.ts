/**
 * Small-multiple maps: one panel per run (each policy and its counterfactual), all in one SVG so
 * that a map exports as one picture. Cells are drawn once from their shapes (grid squares or
 * Voronoi polygons, ui/geometry.ts) and only recoloured as the years pass; the target's outline,
 * its ring, the hub and the schools and clinics are drawn over them. Colour scales are shared by
 * every panel (the same colour means the same value) and colour-blind safe: viridis for levels,
 * purple–orange for differences.
 */
import * as d3 from 'd3';
import { centre, outline, type Point, type Shapes } from './geometry.ts';

export interface PanelData {
  title: string;
  subtitle: string;
  accent: string;
  values: ArrayLike<number> | null;
  /** Region codes (0 rest, 1 target, 2 ring, 3 comparison), or null before the target is drawn. */
  region: ArrayLike<number> | null;
  facilities?: { kind: ArrayLike<number>; cell: ArrayLike<number>; open: ArrayLike<number>; hub: number } | undefined;
  /** Cells of a followed household's path, in order. */
  path?: number[];
}

export interface MapUpdate {
  panels: PanelData[];
  layerLabel: string;
  diverging: boolean;
  format: (v: number) => string;
  selected: { panel: number; cell: number } | null;
}

const PANEL = 230;
const GAP = 14;
const TITLE = 34;
const LEGEND = 56;

/** A short key of an integer array (FNV-1a over its values and length): equal arrays, equal keys. */
function codeKey(a: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ (a[i]! | 0), 0x01000193);
  return `${a.length}:${(h >>> 0).toString(16)}`;
}

export interface MapView {
  readonly svg: SVGSVGElement;
  update(u: MapUpdate): void;
}

export function createMapView(container: HTMLElement, shapes: Shapes, onPick: (panel: number, cell: number) => void): MapView {
  container.replaceChildren();
  const svg = d3
    .select(container)
    .append('svg')
    .attr('data-testid', 'map')
    .attr('role', 'img')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .style('font-family', 'system-ui, sans-serif');
  const w = shapes.x1 - shapes.x0;
  const h = shapes.y1 - shapes.y0;
  const scale = (PANEL - 8) / Math.max(w, h);
  const innerH = h * scale;
  const project = ([x, y]: Point): Point => [(x - shapes.x0) * scale + 4, (y - shapes.y0) * scale + 4];
  const pathOf = (poly: Point[]) => (poly.length ? `M${poly.map((p) => project(p).map((v) => v.toFixed(2)).join(',')).join('L')}Z` : '');
  const cellPaths = shapes.polygons.map(pathOf);
  const centres = shapes.polygons.map((p) => project(centre(p)));
  let panelCount = -1;
  const outlineKeys: string[] = [];
  const facilityKeys: string[] = [];

  const grid = svg.append('g');
  const legend = svg.append('g');
  const defsGrad = svg.append('defs').append('linearGradient').attr('id', 'legend-gradient');

  function layout(n: number) {
    const cols = Math.min(n, Math.max(1, Math.floor((container.clientWidth || 1000) / (PANEL + GAP))));
    const rows = Math.ceil(n / cols);
    // At least wide enough for the legend and its key.
    const width = Math.max(cols * (PANEL + GAP), 560);
    const height = rows * (innerH + 8 + TITLE + GAP) + LEGEND + 22;
    svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
    grid.selectAll('*').remove();
    outlineKeys.length = 0;
    facilityKeys.length = 0;
    for (let p = 0; p < n; p++) {
      const g = grid
        .append('g')
        .attr('class', 'panel')
        .attr('transform', `translate(${(p % cols) * (PANEL + GAP)},${Math.floor(p / cols) * (innerH + 8 + TITLE + GAP)})`);
      g.append('text').attr('class', 'panel-title').attr('x', 4).attr('y', 14).attr('font-size', 13).attr('font-weight', 600);
      g.append('text').attr('class', 'panel-sub').attr('x', 4).attr('y', 28).attr('font-size', 11).attr('fill', '#444');
      const body = g.append('g').attr('transform', `translate(0,${TITLE})`);
      body
        .append('g')
        .attr('class', 'cells')
        .selectAll('path')
        .data(cellPaths)
        .join('path')
        .attr('d', (d) => d)
        .attr('data-cell', (_, i) => i)
        .attr('stroke', 'none')
        .attr('fill', '#ddd');
      body.append('g').attr('class', 'outlines').attr('pointer-events', 'none');
      body.append('g').attr('class', 'facilities').attr('pointer-events', 'none');
      body.append('g').attr('class', 'follow').attr('pointer-events', 'none');
      body.append('rect').attr('class', 'selected').attr('pointer-events', 'none');
      body.on('click', (ev: MouseEvent) => {
        const t = ev.target as Element;
        const cell = t.getAttribute('data-cell');
        if (cell !== null) onPick(p, Number(cell));
      });
      outlineKeys.push('');
      facilityKeys.push('');
    }
    legend.attr('transform', `translate(4,${height - LEGEND - 14})`);
  }

  function drawOutlines(body: d3.Selection<SVGGElement, unknown, null, undefined>, region: ArrayLike<number>) {
    const seg = (m: (i: number) => boolean) =>
      outline(shapes.polygons, m)
        .map(([a, b]) => `M${project(a).join(',')}L${project(b).join(',')}`)
        .join('');
    body.selectAll('*').remove();
    body.append('path').attr('d', seg((i) => region[i] === 2)).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 1.5).attr('stroke-dasharray', '3 2');
    body.append('path').attr('d', seg((i) => region[i] === 1)).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 3.5);
    body.append('path').attr('d', seg((i) => region[i] === 1)).attr('fill', 'none').attr('stroke', '#000').attr('stroke-width', 1.6);
  }

  return {
    svg: svg.node()!,
    update(u) {
      if (u.panels.length !== panelCount) {
        panelCount = u.panels.length;
        layout(panelCount);
      }
      let lo = Infinity, hi = -Infinity;
      for (const p of u.panels) if (p.values) for (let i = 0; i < p.values.length; i++) {
        const v = p.values[i]!;
        if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
      if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
      let colour: (v: number) => string;
      if (u.diverging) {
        const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
        lo = -m; hi = m;
        const s = d3.scaleDiverging(d3.interpolatePuOr).domain([-m, 0, m]);
        colour = (v) => s(v);
      } else {
        if (hi === lo) hi = lo + 1;
        const s = d3.scaleSequential(d3.interpolateViridis).domain([lo, hi]);
        colour = (v) => s(v);
      }
      const panels = grid.selectAll<SVGGElement, unknown>('g.panel').nodes();
      u.panels.forEach((p, k) => {
        const g = d3.select(panels[k]!);
        g.select('.panel-title').text(p.title).attr('fill', p.accent);
        g.select('.panel-sub').text(p.values ? p.subtitle : 'not started');
        const vals = p.values;
        g.select('.cells').selectAll<SVGPathElement, string>('path').attr('fill', (_, i) => (vals ? colour(vals[i]!) : '#ddd'));
        // Outlines change only when the target is drawn: redraw on a change of region codes.
        const key = p.region ? codeKey(p.region) : '';
        if (key !== outlineKeys[k]) {
          outlineKeys[k] = key;
          const body = g.select<SVGGElement>('.outlines');
          if (p.region) drawOutlines(body, p.region);
          else body.selectAll('*').remove();
        }
        // Facilities change rarely (a school opens or closes, a hub is chosen): redraw on a change.
        const f = p.facilities;
        const fkey = f ? `${f.hub}:${codeKey(f.open)}:${codeKey(f.cell)}` : '';
        const fac = g.select('.facilities');
        if (fkey !== facilityKeys[k]) {
          facilityKeys[k] = fkey;
          fac.selectAll('*').remove();
        }
        if (f && fac.select('*').empty()) {
          for (let r = 0; r < f.cell.length; r++) {
            if (!f.open[r]) continue;
            const [x, y] = centres[f.cell[r]!]!;
            if (r === f.hub) {
              fac.append('path').attr('d', d3.symbol(d3.symbolStar, 120)()!).attr('transform', `translate(${x},${y})`).attr('fill', '#fff').attr('stroke', '#000').attr('stroke-width', 1.2);
            } else if (f.kind[r] === 0) {
              fac.append('path').attr('d', d3.symbol(d3.symbolTriangle, 22)()!).attr('transform', `translate(${x},${y})`).attr('fill', '#fff').attr('stroke', '#000').attr('stroke-width', 0.6);
            } else {
              fac.append('path').attr('d', d3.symbol(d3.symbolCross, 18)()!).attr('transform', `translate(${x},${y})`).attr('fill', '#fff').attr('stroke', '#000').attr('stroke-width', 0.5);
            }
          }
        }
        const follow = g.select('.follow');
        follow.selectAll('*').remove();
        if (p.path && p.path.length) {
          const pts = p.path.map((c) => centres[c]!);
          follow.append('path').attr('d', d3.line()(pts)!).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 4);
          follow.append('path').attr('d', d3.line()(pts)!).attr('fill', 'none').attr('stroke', '#d00').attr('stroke-width', 2);
          follow.selectAll('circle').data(pts).join('circle').attr('cx', (d) => d[0]).attr('cy', (d) => d[1]).attr('r', 2.5).attr('fill', '#d00');
        }
        const sel = g.select('.selected');
        if (u.selected && u.selected.panel === k) {
          const [x, y] = centres[u.selected.cell]!;
          sel.attr('x', x - 5).attr('y', y - 5).attr('width', 10).attr('height', 10).attr('fill', 'none').attr('stroke', '#d00').attr('stroke-width', 2);
        } else sel.attr('width', 0);
      });

      // Legend: the shared scale.
      legend.selectAll('*').remove();
      const stops = d3.range(0, 1.0001, 0.1);
      defsGrad.selectAll('stop').data(stops).join('stop').attr('offset', (d) => `${d * 100}%`).attr('stop-color', (d) => colour(lo + d * (hi - lo)));
      legend.append('text').attr('y', 0).attr('font-size', 12).text(u.layerLabel);
      legend.append('rect').attr('y', 6).attr('width', 240).attr('height', 12).attr('fill', 'url(#legend-gradient)');
      const axis = d3.scaleLinear().domain([lo, hi]).range([0, 240]);
      legend
        .append('g')
        .attr('transform', 'translate(0,18)')
        .call(d3.axisBottom(axis).ticks(4).tickFormat((v) => u.format(Number(v))))
        .attr('font-size', 10);
      const key = legend.append('g').attr('transform', 'translate(0,50)').attr('font-size', 11);
      key.append('path').attr('d', 'M0,6H18').attr('stroke', '#000').attr('stroke-width', 2);
      key.append('text').attr('x', 22).attr('y', 10).text('target');
      key.append('path').attr('d', 'M70,6H88').attr('stroke', '#000').attr('stroke-dasharray', '3 2');
      key.append('text').attr('x', 92).attr('y', 10).text('ring');
      key.append('path').attr('d', d3.symbol(d3.symbolTriangle, 30)()!).attr('transform', 'translate(135,6)').attr('fill', '#fff').attr('stroke', '#000');
      key.append('text').attr('x', 143).attr('y', 10).text('school');
      key.append('path').attr('d', d3.symbol(d3.symbolCross, 30)()!).attr('transform', 'translate(195,6)').attr('fill', '#fff').attr('stroke', '#000');
      key.append('text').attr('x', 203).attr('y', 10).text('clinic');
      key.append('path').attr('d', d3.symbol(d3.symbolStar, 60)()!).attr('transform', 'translate(250,6)').attr('fill', '#fff').attr('stroke', '#000');
      key.append('text').attr('x', 258).attr('y', 10).text('hub school');
    },
  };
}
