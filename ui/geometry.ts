/**
 * Shapes of neighbourhoods for maps, from coordinates only. A generated grid (width × height
 * cells with unit spacing) is drawn as squares; any other geography — a real city's small areas
 * with per-area x/y — as Voronoi polygons (d3-delaunay) clipped to the convex hull of the areas,
 * widened by half a spacing so that the outer areas are not cut in half. Pure: no DOM.
 */
import { Delaunay, polygonHull } from 'd3';

export type Point = [number, number];
export type Polygon = Point[];

export interface GeoInput {
  n: number;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Grid size when the geography is a generated grid, else 0. */
  width: number;
  height: number;
}

export interface Shapes {
  polygons: Polygon[];
  /** Bounding box of all polygons. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  kind: 'grid' | 'voronoi';
}

const isGrid = (g: GeoInput) => g.width > 0 && g.height > 0 && g.width * g.height === g.n;

/** Signed area (positive when counter-clockwise in y-up axes). */
function area(p: Polygon): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const [x0, y0] = p[i]!;
    const [x1, y1] = p[(i + 1) % p.length]!;
    a += x0 * y1 - x1 * y0;
  }
  return a / 2;
}

/**
 * Sutherland–Hodgman clipping of a polygon by a convex polygon: keeps the part of `subject`
 * inside `clip`. Exact for a convex clip region, which a hull is.
 */
export function clipConvex(subject: Polygon, clip: Polygon): Polygon {
  const ccw = area(clip) > 0;
  const inside = (p: Point, a: Point, b: Point) => {
    const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    return ccw ? cross >= 0 : cross <= 0;
  };
  const intersect = (p: Point, q: Point, a: Point, b: Point): Point => {
    const d = (p[0] - q[0]) * (a[1] - b[1]) - (p[1] - q[1]) * (a[0] - b[0]);
    const t = ((p[0] - a[0]) * (a[1] - b[1]) - (p[1] - a[1]) * (a[0] - b[0])) / d;
    return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
  };
  let out = subject;
  for (let i = 0; i < clip.length && out.length; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % clip.length]!;
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const cur = input[j]!;
      const prev = input[(j + input.length - 1) % input.length]!;
      const curIn = inside(cur, a, b);
      const prevIn = inside(prev, a, b);
      if (curIn) {
        if (!prevIn) out.push(intersect(prev, cur, a, b));
        out.push(cur);
      } else if (prevIn) out.push(intersect(prev, cur, a, b));
    }
  }
  return out;
}

/** Median distance from each area to its nearest other area: the spacing of the geography. */
function spacing(g: GeoInput, delaunay: Delaunay<Point>): number {
  const d: number[] = [];
  for (let i = 0; i < g.n; i++) {
    let best = Infinity;
    for (const j of delaunay.neighbors(i)) best = Math.min(best, Math.hypot(g.x[i]! - g.x[j]!, g.y[i]! - g.y[j]!));
    if (Number.isFinite(best)) d.push(best);
  }
  d.sort((a, b) => a - b);
  return d.length ? d[Math.floor(d.length / 2)]! : 1;
}

export function cellShapes(g: GeoInput): Shapes {
  if (isGrid(g)) {
    const polygons: Polygon[] = [];
    for (let i = 0; i < g.n; i++) {
      const x = g.x[i]!;
      const y = g.y[i]!;
      polygons.push([[x - 0.5, y - 0.5], [x + 0.5, y - 0.5], [x + 0.5, y + 0.5], [x - 0.5, y + 0.5]]);
    }
    return { polygons, ...bounds(polygons), kind: 'grid' };
  }
  const points: Point[] = Array.from({ length: g.n }, (_, i) => [g.x[i]!, g.y[i]!]);
  const delaunay = Delaunay.from(points);
  const half = spacing(g, delaunay) / 2;
  // The hull of the areas, widened by half a spacing: each point pushed out in eight directions.
  const widened: Point[] = [];
  for (const [x, y] of points) for (let k = 0; k < 8; k++) widened.push([x + half * Math.cos((k * Math.PI) / 4), y + half * Math.sin((k * Math.PI) / 4)]);
  const hull = polygonHull(widened) ?? widened;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of hull) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  const voronoi = delaunay.voronoi([x0 - 1, y0 - 1, x1 + 1, y1 + 1]);
  const polygons: Polygon[] = points.map((_, i) => {
    const cell = voronoi.cellPolygon(i) as Point[] | null;
    if (!cell) return [];
    // cellPolygon repeats its first point at the end.
    return clipConvex(cell.slice(0, -1), hull);
  });
  return { polygons, ...bounds(polygons), kind: 'voronoi' };
}

function bounds(polys: Polygon[]) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of polys) for (const [x, y] of p) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

const key = (p: Point) => `${p[0].toFixed(5)},${p[1].toFixed(5)}`;

/**
 * The outline of a set of areas: the polygon edges that belong to exactly one member (shared
 * edges between two members cancel), as segments. Works for squares and Voronoi cells alike,
 * since neighbouring cells share their edges exactly.
 */
export function outline(polygons: readonly Polygon[], member: (i: number) => boolean): [Point, Point][] {
  const edges = new Map<string, { a: Point; b: Point; count: number }>();
  polygons.forEach((poly, i) => {
    if (!member(i)) return;
    for (let j = 0; j < poly.length; j++) {
      const a = poly[j]!;
      const b = poly[(j + 1) % poly.length]!;
      const ka = key(a);
      const kb = key(b);
      const k = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
      const e = edges.get(k);
      if (e) e.count++;
      else edges.set(k, { a, b, count: 1 });
    }
  });
  return [...edges.values()].filter((e) => e.count === 1).map((e) => [e.a, e.b]);
}

/** A polygon's centroid (for markers), the mean of its vertices. */
export function centre(p: Polygon): Point {
  let x = 0, y = 0;
  for (const [a, b] of p) { x += a; y += b; }
  return [x / Math.max(1, p.length), y / Math.max(1, p.length)];
}
