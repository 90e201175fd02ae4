/**
 * Map shapes from coordinates (ui/geometry.ts): grid squares for a generated grid; for scattered
 * areas, Voronoi polygons clipped to the widened hull that tile it without overlap; outlines of a
 * set of areas are the edges not shared inside it.
 */
import { polygonArea, polygonContains } from 'd3';
import { describe, expect, it } from 'vitest';
import { cellShapes, clipConvex, outline } from '../../ui/geometry.ts';

describe('cell shapes', () => {
  it('draws a grid as unit squares', () => {
    const w = 4, h = 3;
    const x = Array.from({ length: w * h }, (_, i) => (i % w) + 0.5);
    const y = Array.from({ length: w * h }, (_, i) => Math.floor(i / w) + 0.5);
    const s = cellShapes({ n: w * h, x, y, width: w, height: h });
    expect(s.kind).toBe('grid');
    for (const p of s.polygons) expect(Math.abs(polygonArea(p))).toBeCloseTo(1);
    expect([s.x0, s.y0, s.x1, s.y1]).toEqual([0, 0, 4, 3]);
    // The outline of the 2 × 2 block in the corner: 8 unit edges.
    const block = new Set([0, 1, 4, 5]);
    expect(outline(s.polygons, (i) => block.has(i))).toHaveLength(8);
  });

  it('draws scattered areas as Voronoi cells that contain their point and tile the hull', () => {
    // A jittered lattice, as a real city's small-area centroids might be.
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const x: number[] = [];
    const y: number[] = [];
    for (let r = 0; r < 8; r++) for (let c = 0; c < 9; c++) {
      x.push(c + (rand() - 0.5) * 0.6);
      y.push(r * 0.9 + (rand() - 0.5) * 0.6);
    }
    const s = cellShapes({ n: x.length, x, y, width: 0, height: 0 });
    expect(s.kind).toBe('voronoi');
    let total = 0;
    s.polygons.forEach((p, i) => {
      expect(p.length).toBeGreaterThanOrEqual(3);
      expect(polygonContains(p, [x[i]!, y[i]!])).toBe(true);
      total += Math.abs(polygonArea(p));
    });
    // The cells tile a region a little larger than the points' hull and no larger than its box.
    expect(total).toBeGreaterThan(8 * 6.3);
    expect(total).toBeLessThanOrEqual((s.x1 - s.x0) * (s.y1 - s.y0) + 1e-9);
    // The outline of every cell is the outer boundary only: interior edges cancel.
    const all = outline(s.polygons, () => true);
    const each = s.polygons.reduce((a, p) => a + p.length, 0);
    expect(all.length).toBeLessThan(each / 3);
  });

  it('clips a polygon by a convex one', () => {
    // [0,3]² ∩ the triangle (1,-1), (3,1), (1,3): ∫₁² (4 − x) dx + ∫₂³ (6 − 2x) dx = 2.5 + 1.
    const square: [number, number][] = [[0, 0], [3, 0], [3, 3], [0, 3]];
    const tri: [number, number][] = [[1, -1], [3, 1], [1, 3]];
    expect(Math.abs(polygonArea(clipConvex(square, tri)))).toBeCloseTo(3.5);
    // Either orientation of the clip polygon.
    expect(Math.abs(polygonArea(clipConvex(square, [...tri].reverse())))).toBeCloseTo(3.5);
  });
});
