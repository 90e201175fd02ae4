/**
 * Small-multiple maps: one panel per run (each policy and its counterfactual). A panel's cells
 * (grid squares or Voronoi polygons, ui/geometry.ts) are painted on a canvas of its own — a whole
 * panel in about a millisecond, where 1,024 SVG paths a panel kept the browser busy for tens of
 * milliseconds of style and paint a frame — and repainted only when some cell's colour changed.
 * The titles, the target's outline, its ring, the hub and the schools and clinics, the followed
 * household's path and the selection are a small SVG over the canvas that changes rarely. The
 * download puts everything together as one SVG picture, cells as paths. Colour scales are shared
 * by every panel (the same colour means the same value) and colour-blind safe: viridis for levels,
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
  /** The maps as one SVG picture, laid out as on the page, cells as paths (for the downloads). */
  exportSvg(): SVGSVGElement;
  /**
   * Sets what the maps should show. Titles, outlines, facilities, the followed path, the selection
   * and the legend are updated at once (each only when it changed); the cells' colours are only
   * computed here and drawn by `flush`, in the next frame.
   */
  update(u: MapUpdate): void;
  /** Draws the panels whose cells' colours changed since they were last drawn. */
  flush(): void;
  /** Panels still to draw. */
  readonly pending: number;
  /** A cell's centre in the viewport's CSS pixels (where a click picks it), or null: for tests. */
  cellCentre(panel: number, cell: number): { x: number; y: number } | null;
}

/** Colours per scale: values are drawn in one of this many steps (invisible beside a continuous scale). */
const STEPS = 64;
const NO_DATA = '#ddd';
const SVG_NS = 'http://www.w3.org/2000/svg';

export function createMapView(container: HTMLElement, shapes: Shapes, onPick: (panel: number, cell: number) => void): MapView {
  container.replaceChildren();
  // Per panel, the cells on a canvas and the rest (titles, outlines, facilities, the followed path,
  // the selection) in a small SVG over it. As SVG paths, 1,024 cells a panel cost the browser far
  // more in style, paint and layerizing than the script that recolours them; on a canvas a whole
  // panel is redrawn in about a millisecond. `exportSvg` builds the cells as paths again for the
  // downloads, so the picture is still one SVG.
  const root = d3.select(container).append('div').attr('class', 'map-panels').attr('data-testid', 'map').attr('role', 'img');
  const w = shapes.x1 - shapes.x0;
  const h = shapes.y1 - shapes.y0;
  const scale = (PANEL - 8) / Math.max(w, h);
  const innerH = h * scale;
  const project = ([x, y]: Point): Point => [(x - shapes.x0) * scale + 4, (y - shapes.y0) * scale + 4];
  const n = shapes.polygons.length;
  const projected = shapes.polygons.map((poly) => poly.map(project));
  const pathOf = (poly: Point[]) => (poly.length ? `M${poly.map((p) => p.map((v) => v.toFixed(2)).join(',')).join('L')}Z` : '');
  /** The cells' outlines in a panel's body coordinates (as on the canvas), for the canvas and the hit test. */
  const coords = projected.map((poly) => Float64Array.from(poly.flat()));
  const bounds = projected.map((poly) => {
    const xs = poly.map((p) => p[0]);
    const ys = poly.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
  });
  const centres = shapes.polygons.map((p) => project(centre(p)));
  let panelCount = -1;
  const outlineKeys: string[] = [];
  const facilityKeys: string[] = [];
  // Colour palettes, computed once: index STEPS * t of the interpolator, t in [0, 1].
  const viridis = Array.from({ length: STEPS }, (_, i) => d3.interpolateViridis(i / (STEPS - 1)));
  const puOr = Array.from({ length: STEPS }, (_, i) => d3.interpolatePuOr(i / (STEPS - 1)));
  /** Per panel: its canvas, the colour each cell shows (-1 no data, -2 not drawn) and the colour it should show. */
  let canvases: HTMLCanvasElement[] = [];
  let shown: Int16Array[] = [];
  let wanted: Int16Array[] = [];
  /** Panels whose canvas is out of date. */
  let stale: boolean[] = [];
  let palette = viridis;
  let shownPalette = viridis;
  const panelText: { title: string; sub: string; accent: string }[] = [];
  let legendKey = '';
  let followKeys: string[] = [];
  let selectedKeys: string[] = [];

  const grid = root.append('div').attr('class', 'map-grid');
  const legendSvg = root
    .append('svg')
    .attr('class', 'map-legend')
    .attr('xmlns', SVG_NS)
    .attr('viewBox', `0 0 560 ${LEGEND + 22}`)
    .attr('width', 560)
    .attr('height', LEGEND + 22)
    .style('font-family', 'system-ui, sans-serif');
  const defsGrad = legendSvg.append('defs').append('linearGradient').attr('id', 'legend-gradient');
  const legend = legendSvg.append('g').attr('transform', 'translate(4,14)');
  const bodyH = innerH + 8;
  const panelH = bodyH + TITLE;

  /**
   * A generated grid's cells by lattice position (row-major, -1 where none), or null when the
   * shapes are not unit squares on a lattice (a real city's polygons). A grid is painted as an
   * image of one pixel a cell, scaled up without smoothing: crisp squares for the cost of 1,024
   * pixels, where filling 1,024 polygons took a few milliseconds a panel on a loaded machine.
   */
  const lattice = ((): { cols: number; rows: number; at: Int32Array } | null => {
    if (shapes.kind !== 'grid') return null;
    const cols = Math.round(w), rows = Math.round(h);
    if (cols < 1 || rows < 1 || Math.abs(cols - w) > 1e-6 || Math.abs(rows - h) > 1e-6) return null;
    const at = new Int32Array(cols * rows).fill(-1);
    for (let i = 0; i < n; i++) {
      const poly = shapes.polygons[i]!;
      if (poly.length !== 4) return null;
      const xs = poly.map((q) => q[0]), ys = poly.map((q) => q[1]);
      const left = Math.min(...xs) - shapes.x0, top = Math.min(...ys) - shapes.y0;
      const c = Math.round(left), r = Math.round(top);
      // Unit squares, axis-aligned, on whole-number offsets, one a place.
      if (Math.abs(c - left) > 1e-6 || Math.abs(r - top) > 1e-6 || Math.abs(Math.max(...xs) - Math.min(...xs) - 1) > 1e-6 || Math.abs(Math.max(...ys) - Math.min(...ys) - 1) > 1e-6) return null;
      if (poly.some(([x, y]) => (x !== Math.min(...xs) && x !== Math.max(...xs)) || (y !== Math.min(...ys) && y !== Math.max(...ys)))) return null;
      if (c >= cols || r >= rows || at[r * cols + c] !== -1) return null;
      at[r * cols + c] = i;
    }
    return { cols, rows, at };
  })();
  /** The grid's image (one pixel a cell) and its pixels as RGBA words, reused by every panel. */
  const tile = lattice ? document.createElement('canvas') : null;
  const tileData = lattice && tile ? new ImageData(lattice.cols, lattice.rows) : null;
  const tileWords = tileData ? new Uint32Array(tileData.data.buffer) : null;
  if (tile && lattice) {
    tile.width = lattice.cols;
    tile.height = lattice.rows;
  }
  /** A CSS colour as an RGBA word in the byte order of ImageData on this machine. */
  const probe = new Uint8ClampedArray(4);
  const probeWord = new Uint32Array(probe.buffer);
  const word = (css: string) => {
    const c = d3.rgb(css);
    probe[0] = c.r; probe[1] = c.g; probe[2] = c.b; probe[3] = 255;
    return probeWord[0]!;
  };
  const noDataWord = word(NO_DATA);
  const wordsOf = new Map<string[], Uint32Array>();
  const paletteWords = (pal: string[]) => {
    let out = wordsOf.get(pal);
    if (!out) wordsOf.set(pal, (out = Uint32Array.from(pal, word)));
    return out;
  };

  /**
   * Paints a panel's cells: every cell (a whole panel costs about as much as a few cells, and a
   * cell painted over its old colour would keep a fringe of it at its edges).
   */
  function draw(p: number) {
    const canvas = canvases[p]!;
    const ctx = canvas.getContext('2d');
    const want = wanted[p]!;
    shown[p]!.set(want);
    stale[p] = false;
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // Panel units to device pixels: the backing store follows the canvas's size on the screen.
    ctx.setTransform(canvas.width / PANEL, 0, 0, canvas.height / bodyH, 0, 0);
    if (lattice && tile && tileData && tileWords) {
      const words = paletteWords(palette);
      const at = lattice.at;
      for (let k = 0; k < at.length; k++) {
        const i = at[k]!;
        const c = i < 0 ? -2 : want[i]!;
        tileWords[k] = c === -2 ? 0 : c < 0 ? noDataWord : words[c]!;
      }
      tile.getContext('2d')!.putImageData(tileData, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, 4, 4, w * scale, h * scale);
      return;
    }
    // Polygons: bucketed by colour (counting sort; -1, no data, first), one fill per colour.
    const start = new Int32Array(STEPS + 2);
    for (let i = 0; i < n; i++) start[want[i]! + 2]!++;
    for (let c = 1; c < start.length; c++) start[c]! += start[c - 1]!;
    const order = new Int32Array(n);
    const next = start.slice(0, STEPS + 1);
    for (let i = 0; i < n; i++) order[next[want[i]! + 1]!++] = i;
    for (let c = -1; c < STEPS; c++) {
      const a = start[c + 1]!, b = start[c + 2]!;
      if (a === b) continue;
      ctx.beginPath();
      for (let k = a; k < b; k++) {
        const xy = coords[order[k]!]!;
        if (!xy.length) continue;
        ctx.moveTo(xy[0]!, xy[1]!);
        for (let j = 2; j < xy.length; j += 2) ctx.lineTo(xy[j]!, xy[j + 1]!);
        ctx.closePath();
      }
      ctx.fillStyle = c < 0 ? NO_DATA : palette[c]!;
      ctx.fill();
    }
  }

  /** The cell under a point of a panel's body (panel units), or -1: point in polygon, bounding boxes first. */
  function cellAt(x: number, y: number): number {
    for (let i = 0; i < n; i++) {
      const [x0, y0, x1, y1] = bounds[i]!;
      if (x < x0 || x > x1 || y < y0 || y > y1) continue;
      if (d3.polygonContains(projected[i]!, [x, y])) return i;
    }
    return -1;
  }

  // The canvases' backing stores follow their size on the screen in device pixels (a wider panel
  // in presentation mode, a zoom, a screen of another density), so that the cells stay crisp.
  const resized = new ResizeObserver((entries) => {
    for (const e of entries) {
      const canvas = e.target as HTMLCanvasElement;
      const p = canvases.indexOf(canvas);
      if (p < 0) continue;
      const device = e.devicePixelContentBoxSize?.[0];
      const dpr = window.devicePixelRatio || 1;
      const cw = Math.round(device ? device.inlineSize : e.contentRect.width * dpr);
      const ch = Math.round(device ? device.blockSize : e.contentRect.height * dpr);
      if (cw < 1 || ch < 1 || (cw === canvas.width && ch === canvas.height)) continue;
      canvas.width = cw;
      canvas.height = ch;
      draw(p);
    }
  });
  const observe = (canvas: HTMLCanvasElement) => {
    try {
      resized.observe(canvas, { box: 'device-pixel-content-box' });
    } catch {
      // Browsers without device-pixel boxes: CSS pixels times the pixel ratio.
      resized.observe(canvas);
    }
  };

  function layout(count: number) {
    resized.disconnect();
    grid.selectAll('*').remove();
    outlineKeys.length = 0;
    facilityKeys.length = 0;
    panelText.length = 0;
    canvases = [];
    shown = [];
    wanted = [];
    stale = [];
    followKeys = [];
    selectedKeys = [];
    const dpr = window.devicePixelRatio || 1;
    for (let p = 0; p < count; p++) {
      // The panel's width is a CSS variable so that presentation mode (style.css) can override it;
      // its height follows from the aspect ratio, and the canvas and overlay from the panel.
      const panel = grid
        .append('div')
        .attr('class', 'map-panel')
        .style('--panel-width', `${PANEL}px`)
        .style('aspect-ratio', `${PANEL} / ${panelH}`);
      const canvas = panel
        .append('canvas')
        .attr('aria-hidden', 'true')
        .style('top', `${(100 * TITLE) / panelH}%`)
        .style('height', `${(100 * bodyH) / panelH}%`)
        .node()!;
      // A first size before the observer reports the real one.
      canvas.width = Math.round(PANEL * dpr);
      canvas.height = Math.round(bodyH * dpr);
      canvas.addEventListener('click', (ev) => {
        const r = canvas.getBoundingClientRect();
        if (!r.width || !r.height) return;
        const cell = cellAt(((ev.clientX - r.left) / r.width) * PANEL, ((ev.clientY - r.top) / r.height) * bodyH);
        if (cell >= 0) onPick(p, cell);
      });
      observe(canvas);
      canvases.push(canvas);
      const g = panel
        .append('svg')
        .attr('xmlns', SVG_NS)
        .attr('viewBox', `0 0 ${PANEL} ${panelH}`)
        .attr('aria-hidden', 'true')
        .style('font-family', 'system-ui, sans-serif')
        .append('g')
        .attr('class', 'panel');
      g.append('text').attr('class', 'panel-title').attr('x', 4).attr('y', 14).attr('font-size', 13).attr('font-weight', 600);
      g.append('text').attr('class', 'panel-sub').attr('x', 4).attr('y', 28).attr('font-size', 11).attr('fill', '#444');
      const body = g.append('g').attr('class', 'body').attr('transform', `translate(0,${TITLE})`);
      body.append('g').attr('class', 'outlines');
      body.append('g').attr('class', 'facilities');
      body.append('g').attr('class', 'follow');
      body.append('rect').attr('class', 'selected');
      shown.push(new Int16Array(n).fill(-2));
      wanted.push(new Int16Array(n).fill(-1));
      stale.push(true);
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
    const out = document.createElementNS(SVG_NS, 'svg');
    out.setAttribute('xmlns', SVG_NS);
    out.setAttribute('viewBox', `0 0 ${width} ${height}`);
    out.setAttribute('width', String(width));
    out.setAttribute('height', String(height));
    out.setAttribute('style', 'font-family: system-ui, sans-serif');
    const label = root.attr('aria-label');
    if (label) out.setAttribute('aria-label', label);
    panels.forEach((g, p) => {
      const copy = g.cloneNode(true) as SVGGElement;
      copy.setAttribute('transform', `translate(${(p % cols) * (PANEL + GAP)},${Math.floor(p / cols) * (panelH + GAP)})`);
      // The cells as paths under the overlay, in the colours the panel is to show.
      const cells = document.createElementNS(SVG_NS, 'g');
      cells.setAttribute('class', 'cells');
      cells.setAttribute('stroke', 'none');
      const want = wanted[p]!;
      for (let i = 0; i < n; i++) {
        const path = document.createElementNS(SVG_NS, 'path');
        path.setAttribute('d', pathOf(projected[i]!));
        path.setAttribute('data-cell', String(i));
        const c = want[i]!;
        path.setAttribute('fill', c < 0 ? NO_DATA : palette[c]!);
        cells.append(path);
      }
      const body = copy.querySelector('g.body')!;
      body.insertBefore(cells, body.firstChild);
      out.append(copy);
    });
    const key = document.createElementNS(SVG_NS, 'g');
    key.setAttribute('transform', `translate(0,${height - LEGEND - 22})`);
    for (const c of legendSvg.node()!.childNodes) key.append(c.cloneNode(true));
    out.append(key);
    return out;
  }

  return {
    element: root.node()!,
    exportSvg,
    get pending() {
      return stale.filter(Boolean).length;
    },
    cellCentre(panel, cell) {
      const canvas = canvases[panel];
      const c = centres[cell];
      if (!canvas || !c) return null;
      const r = canvas.getBoundingClientRect();
      return { x: r.left + (c[0] / PANEL) * r.width, y: r.top + (c[1] / bodyH) * r.height };
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
          if (c !== have[i]) stale[k] = true;
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

      // Legend: the shared scale, drawn again only when the scale changes.
      const lkey = `${u.diverging}|${lo}|${hi}|${u.layerLabel}`;
      if (lkey !== legendKey) {
        legendKey = lkey;
        drawLegend(u, lo, hi, colour);
      }
      setText(legend.select('.legend-title').node() as Element | null, u.year === undefined ? u.layerLabel : `${u.layerLabel}, year ${u.year}`);
    },
    flush() {
      for (let p = 0; p < panelCount; p++) if (stale[p]) draw(p);
    },
  };
}
