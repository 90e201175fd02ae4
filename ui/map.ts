/**
 * Small-multiple maps: one panel per run (each policy and its counterfactual), each in an SVG of
 * its own so that the browser repaints only the panels that changed; the download puts them
 * together as one picture. Cells are drawn once from their shapes (grid squares or Voronoi
 * polygons, ui/geometry.ts) and only recoloured as the years pass — only the cells whose colour
 * changed, a bounded number per frame (`flush`), so the page never does much at once; the target's outline,
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
  /** What the maps show; with `year`, the legend's title reads "<layerLabel>, year <year>". */
  layerLabel: string;
  year?: number;
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
  /** The maps' element (role img): its label is the maps' short text alternative. */
  readonly element: HTMLElement;
  /** The maps as one SVG picture, laid out as on the page (for the downloads). */
  exportSvg(): SVGSVGElement;
  /**
   * Sets what the maps should show. Titles, outlines, facilities, the followed path, the selection
   * and the legend are updated at once (each only when it changed); the cells' colours are only
   * computed here and applied by `flush`, a bounded number at a time.
   */
  update(u: MapUpdate): void;
  /** Recolours at most `maxCells` cells whose colour changed, in one panel; returns true when none is left. */
  flush(maxCells: number): boolean;
  /** Cells still to recolour. */
  readonly pending: number;
}

/** Colours per scale: values are drawn in one of this many steps (invisible beside a continuous scale). */
const STEPS = 64;
const NO_DATA = '#ddd';

export function createMapView(container: HTMLElement, shapes: Shapes, onPick: (panel: number, cell: number) => void): MapView {
  container.replaceChildren();
  // One SVG per panel and one for the legend, side by side: the browser repaints only the
  // picture that changed (each is a layer of its own, style.css), not the 1,024 cells of every
  // panel. `exportSvg` puts them together again as one picture.
  const root = d3.select(container).append('div').attr('class', 'map-panels').attr('data-testid', 'map').attr('role', 'img');
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
  const n = shapes.polygons.length;
  // Colour palettes, computed once: index STEPS * t of the interpolator, t in [0, 1].
  const viridis = Array.from({ length: STEPS }, (_, i) => d3.interpolateViridis(i / (STEPS - 1)));
  const puOr = Array.from({ length: STEPS }, (_, i) => d3.interpolatePuOr(i / (STEPS - 1)));
  /** Per panel: the cells' path elements, the colour each shows (-1 no data, -2 not drawn) and the colour it should show. */
  let cellNodes: SVGPathElement[][] = [];
  let shown: Int16Array[] = [];
  let wanted: Int16Array[] = [];
  let palette = viridis;
  let shownPalette = viridis;
  /** Cursor of `flush`: the next panel and cell to look at, and the cells left to look at. */
  let cursorPanel = 0;
  let cursorCell = 0;
  let dirty = 0;
  const panelText: { title: string; sub: string; accent: string }[] = [];
  let legendKey = '';
  let followKeys: string[] = [];
  let selectedKeys: string[] = [];

  const grid = root.append('div').attr('class', 'map-grid');
  const legendSvg = root
    .append('svg')
    .attr('class', 'map-legend')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 560 ${LEGEND + 22}`)
    .attr('width', 560)
    .attr('height', LEGEND + 22)
    .style('font-family', 'system-ui, sans-serif');
  const defsGrad = legendSvg.append('defs').append('linearGradient').attr('id', 'legend-gradient');
  const legend = legendSvg.append('g').attr('transform', 'translate(4,14)');
  const panelH = innerH + 8 + TITLE;

  function layout(count: number) {
    grid.selectAll('*').remove();
    outlineKeys.length = 0;
    facilityKeys.length = 0;
    panelText.length = 0;
    cellNodes = [];
    shown = [];
    wanted = [];
    followKeys = [];
    selectedKeys = [];
    for (let p = 0; p < count; p++) {
      const g = grid
        .append('svg')
        .attr('class', 'map-panel')
        .attr('xmlns', 'http://www.w3.org/2000/svg')
        .attr('viewBox', `0 0 ${PANEL} ${panelH}`)
        .attr('width', PANEL)
        .attr('height', panelH)
        .style('font-family', 'system-ui, sans-serif')
        .append('g')
        .attr('class', 'panel');
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
        .attr('fill', NO_DATA);
      cellNodes.push(body.select('.cells').selectAll<SVGPathElement, string>('path').nodes());
      shown.push(new Int16Array(n).fill(-1));
      wanted.push(new Int16Array(n).fill(-1));
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
      panelText.push({ title: '', sub: '', accent: '' });
      followKeys.push('');
      selectedKeys.push('');
    }
  }

  /** Outline paths (ring, target) per set of region codes: panels of one comparison share them. */
  const outlineCache = new Map<string, [string, string]>();
  function drawOutlines(body: d3.Selection<SVGGElement, unknown, null, undefined>, region: ArrayLike<number>, key: string) {
    const seg = (m: (i: number) => boolean) =>
      outline(shapes.polygons, m)
        .map(([a, b]) => `M${project(a).join(',')}L${project(b).join(',')}`)
        .join('');
    let paths = outlineCache.get(key);
    if (!paths) {
      paths = [seg((i) => region[i] === 2), seg((i) => region[i] === 1)];
      if (outlineCache.size > 16) outlineCache.clear();
      outlineCache.set(key, paths);
    }
    const [ring, target] = paths;
    body.selectAll('*').remove();
    body.append('path').attr('d', ring).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 1.5).attr('stroke-dasharray', '3 2');
    body.append('path').attr('d', target).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 3.5);
    body.append('path').attr('d', target).attr('fill', 'none').attr('stroke', '#000').attr('stroke-width', 1.6);
  }

  function drawLegend(u: MapUpdate, lo: number, hi: number, colour: (v: number) => string) {
    legend.selectAll('*').remove();
    const stops = d3.range(0, 1.0001, 0.1);
    defsGrad.selectAll('stop').data(stops).join('stop').attr('offset', (d) => `${d * 100}%`).attr('stop-color', (d) => colour(lo + d * (hi - lo)));
    legend.append('text').attr('class', 'legend-title').attr('y', 0).attr('font-size', 12);
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
  }

  /** Sets `node`'s text only when it differs (a text change makes the browser lay the SVG out again). */
  const setText = (node: Element | null, text: string) => {
    if (node && node.textContent !== text) node.textContent = text;
  };

  function exportSvg(): SVGSVGElement {
    const panels = grid.selectAll<SVGGElement, unknown>('g.panel').nodes();
    const count = panels.length;
    const cols = Math.min(count, Math.max(1, Math.floor((container.clientWidth || 1000) / (PANEL + GAP))));
    const rows = Math.ceil(count / cols);
    // At least wide enough for the legend and its key.
    const width = Math.max(cols * (PANEL + GAP), 560);
    const height = rows * (panelH + GAP) + LEGEND + 22;
    const out = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    out.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    out.setAttribute('viewBox', `0 0 ${width} ${height}`);
    out.setAttribute('width', String(width));
    out.setAttribute('height', String(height));
    out.setAttribute('style', 'font-family: system-ui, sans-serif');
    const label = root.attr('aria-label');
    if (label) out.setAttribute('aria-label', label);
    panels.forEach((g, p) => {
      const copy = g.cloneNode(true) as SVGGElement;
      copy.setAttribute('transform', `translate(${(p % cols) * (PANEL + GAP)},${Math.floor(p / cols) * (panelH + GAP)})`);
      out.append(copy);
    });
    const key = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    key.setAttribute('transform', `translate(0,${height - LEGEND - 22})`);
    for (const c of legendSvg.node()!.childNodes) key.append(c.cloneNode(true));
    out.append(key);
    return out;
  }

  return {
    element: root.node()!,
    exportSvg,
    get pending() {
      return dirty;
    },
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
      // A rounded ("nice") domain: it stays the same for years while the values drift inside it,
      // so most cells keep their colour from one year to the next and need not be redrawn.
      let colour: (v: number) => string;
      let index: (v: number) => number;
      if (u.diverging) {
        const m = d3.scaleLinear().domain([0, Math.max(Math.abs(lo), Math.abs(hi)) || 1]).nice(4).domain()[1]!;
        lo = -m; hi = m;
        const s = d3.scaleDiverging(d3.interpolatePuOr).domain([-m, 0, m]);
        colour = (v) => s(v);
        index = (v) => Math.round(Math.min(1, Math.max(0, 0.5 + v / (2 * m))) * (STEPS - 1));
        palette = puOr;
      } else {
        if (hi === lo) hi = lo + 1;
        [lo, hi] = d3.scaleLinear().domain([lo, hi]).nice(4).domain() as [number, number];
        const s = d3.scaleSequential(d3.interpolateViridis).domain([lo, hi]);
        colour = (v) => s(v);
        const span = hi - lo;
        index = (v) => Math.round(Math.min(1, Math.max(0, (v - lo) / span)) * (STEPS - 1));
        palette = viridis;
      }
      if (palette !== shownPalette) {
        shownPalette = palette;
        for (const a of shown) a.fill(-2);
      }
      dirty = 0;
      const panels = grid.selectAll<SVGGElement, unknown>('g.panel').nodes();
      u.panels.forEach((p, k) => {
        const g = d3.select(panels[k]!);
        const text = panelText[k]!;
        const sub = p.values ? p.subtitle : 'not started';
        if (text.title !== p.title || text.accent !== p.accent) g.select('.panel-title').text(p.title).attr('fill', p.accent);
        if (text.sub !== sub) g.select('.panel-sub').text(sub);
        panelText[k] = { title: p.title, sub, accent: p.accent };
        const vals = p.values;
        const want = wanted[k]!;
        const have = shown[k]!;
        for (let i = 0; i < n; i++) {
          const v = vals ? vals[i]! : NaN;
          const c = Number.isFinite(v) ? index(v) : -1;
          want[i] = c;
          if (c !== have[i]) dirty++;
        }
        // Outlines change only when the target is drawn: redraw on a change of region codes.
        const key = p.region ? codeKey(p.region) : '';
        if (key !== outlineKeys[k]) {
          outlineKeys[k] = key;
          const body = g.select<SVGGElement>('.outlines');
          if (p.region) drawOutlines(body, p.region, key);
          else body.selectAll('*').remove();
        }
        // Facilities change rarely (a school opens or closes, a hub is chosen): redraw on a change.
        const f = p.facilities;
        const fkey = f ? `${f.hub}:${codeKey(f.open)}:${codeKey(f.cell)}` : '';
        const fac = g.select('.facilities');
        if (fkey !== facilityKeys[k]) {
          facilityKeys[k] = fkey;
          fac.selectAll('*').remove();
          if (f) {
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
        }
        const pathKey = p.path?.join(',') ?? '';
        if (pathKey !== followKeys[k]) {
          followKeys[k] = pathKey;
          const follow = g.select('.follow');
          follow.selectAll('*').remove();
          if (p.path && p.path.length) {
            const pts = p.path.map((c) => centres[c]!);
            follow.append('path').attr('d', d3.line()(pts)!).attr('fill', 'none').attr('stroke', '#fff').attr('stroke-width', 4);
            follow.append('path').attr('d', d3.line()(pts)!).attr('fill', 'none').attr('stroke', '#d00').attr('stroke-width', 2);
            follow.selectAll('circle').data(pts).join('circle').attr('cx', (d) => d[0]).attr('cy', (d) => d[1]).attr('r', 2.5).attr('fill', '#d00');
          }
        }
        const selKey = u.selected && u.selected.panel === k ? String(u.selected.cell) : '';
        if (selKey !== selectedKeys[k]) {
          selectedKeys[k] = selKey;
          const sel = g.select('.selected');
          if (u.selected && u.selected.panel === k) {
            const [x, y] = centres[u.selected.cell]!;
            sel.attr('x', x - 5).attr('y', y - 5).attr('width', 10).attr('height', 10).attr('fill', 'none').attr('stroke', '#d00').attr('stroke-width', 2);
          } else sel.attr('width', 0);
        }
      });
      cursorPanel = 0;
      cursorCell = 0;

      // Legend: the shared scale, drawn again only when the scale changes.
      const lkey = `${u.diverging}|${lo}|${hi}|${u.layerLabel}`;
      if (lkey !== legendKey) {
        legendKey = lkey;
        drawLegend(u, lo, hi, colour);
      }
      setText(legend.select('.legend-title').node() as Element | null, u.year === undefined ? u.layerLabel : `${u.layerLabel}, year ${u.year}`);
    },
    flush(maxCells) {
      let done = 0;
      while (dirty > 0 && done < maxCells && cursorPanel < panelCount) {
        const want = wanted[cursorPanel]!;
        const have = shown[cursorPanel]!;
        const nodes = cellNodes[cursorPanel]!;
        for (; cursorCell < n && done < maxCells; cursorCell++) {
          const c = want[cursorCell]!;
          if (c === have[cursorCell]) continue;
          have[cursorCell] = c;
          nodes[cursorCell]!.setAttribute('fill', c < 0 ? NO_DATA : palette[c]!);
          done++;
          dirty--;
        }
        if (cursorCell >= n) {
          cursorPanel++;
          cursorCell = 0;
          // One panel a call: each panel is a picture of its own, and the browser repaints only
          // the panels whose cells changed since the last frame.
          if (done > 0) break;
        }
      }
      if (cursorPanel >= panelCount) dirty = 0;
      return dirty === 0;
    },
  };
}
