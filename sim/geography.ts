/**
 * Geography as data: neighbourhoods with coordinates and compressed neighbour lists.
 *
 * Mechanisms and metrics see only this structure (coordinates, neighbour lists, distances), never
 * grid arithmetic, so a generated W×H grid and a real city's irregular small areas run through
 * the same code. `createGridGeography` is the default generator; `createGeography` is the one path
 * every geography goes through (a real city's loader builds its input from small-area files).
 *
 * Distances are in "cell widths": the grid spacing is 1, and a real city's coordinates are scaled
 * so that the median distance to a neighbour is 1.
 */

export interface Geography {
  /** Number of neighbourhoods. */
  readonly n: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Neighbour list of cell i: nbrIndex[nbrOffset[i] .. nbrOffset[i+1]). */
  readonly nbrOffset: Int32Array;
  readonly nbrIndex: Int32Array;
  /** Statistical unit id per cell (the units official data are published for). */
  readonly statUnit: Int32Array;
  /** Administrative ward id per cell. */
  readonly ward: Int32Array;
  /** Grid size where the geography is a grid (for drawing only), else 0. */
  readonly width: number;
  readonly height: number;
  /** Optional names of the areas (real cities). */
  readonly names?: readonly string[];
  /** Optional official codes of the areas (real cities: LSOA codes), for maps and boundaries. */
  readonly codes?: readonly string[];
  /** Real cities: kilometres per unit of x and y (x = (easting − origin) / kmPerUnit; y grows southward). */
  readonly kmPerUnit?: number;
  /** Real cities: British National Grid easting and northing (km) of the point x = 0, y = 0. */
  readonly origin?: { readonly eastingKm: number; readonly northingKm: number };
}

export interface GeographyInput {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  neighbours: ReadonlyArray<ReadonlyArray<number>>;
  statUnit?: ArrayLike<number>;
  ward?: ArrayLike<number>;
  names?: readonly string[];
  codes?: readonly string[];
  kmPerUnit?: number;
  origin?: { eastingKm: number; northingKm: number };
  width?: number;
  height?: number;
}

/** Builds a geography from coordinates and neighbour lists, checking that it is well formed. */
export function createGeography(input: GeographyInput): Geography {
  const n = input.x.length;
  if (input.y.length !== n || input.neighbours.length !== n) {
    throw new RangeError('geography: x, y and neighbours must have one entry per neighbourhood');
  }
  const nbrOffset = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const list = input.neighbours[i]!;
    if (list.length === 0) throw new RangeError(`geography: neighbourhood ${i} has no neighbours`);
    total += list.length;
    nbrOffset[i + 1] = total;
  }
  const nbrIndex = new Int32Array(total);
  for (let i = 0, k = 0; i < n; i++) {
    for (const j of input.neighbours[i]!) {
      if (!Number.isInteger(j) || j < 0 || j >= n || j === i) {
        throw new RangeError(`geography: neighbourhood ${i} lists an invalid neighbour ${j}`);
      }
      nbrIndex[k++] = j;
    }
  }
  const idOr = (a: ArrayLike<number> | undefined): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = a ? a[i]! : i;
    return out;
  };
  return {
    n,
    x: Float64Array.from(input.x),
    y: Float64Array.from(input.y),
    nbrOffset,
    nbrIndex,
    statUnit: idOr(input.statUnit),
    ward: idOr(input.ward),
    width: input.width ?? 0,
    height: input.height ?? 0,
    ...(input.names ? { names: input.names } : {}),
    ...(input.codes ? { codes: input.codes } : {}),
    ...(input.kmPerUnit !== undefined ? { kmPerUnit: input.kmPerUnit } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

/**
 * The default generator: a W×H grid with rook (4-)neighbours; statistical units are
 * `statBlock`×`statBlock` blocks and wards `wardBlock`×`wardBlock` blocks.
 */
export function createGridGeography(width: number, height: number, statBlock = 2, wardBlock = 4): Geography {
  const n = width * height;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const neighbours: number[][] = [];
  const statUnit = new Int32Array(n);
  const ward = new Int32Array(n);
  const statCols = Math.ceil(width / statBlock);
  const wardCols = Math.ceil(width / wardBlock);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      x[i] = c + 0.5;
      y[i] = r + 0.5;
      const list: number[] = [];
      if (r > 0) list.push(i - width);
      if (c > 0) list.push(i - 1);
      if (c < width - 1) list.push(i + 1);
      if (r < height - 1) list.push(i + width);
      neighbours.push(list);
      statUnit[i] = Math.floor(r / statBlock) * statCols + Math.floor(c / statBlock);
      ward[i] = Math.floor(r / wardBlock) * wardCols + Math.floor(c / wardBlock);
    }
  }
  return createGeography({ x, y, neighbours, statUnit, ward, width, height });
}

/** Compressed lists of the cells within a radius of each cell (itself included), with distances. */
export interface RadiusLists {
  readonly radius: number;
  readonly offset: Int32Array;
  readonly index: Int32Array;
  readonly dist: Float32Array;
}

/**
 * Cells within `radius` of each cell, found through a bucket grid so that the cost is
 * O(n × cells per disc), not O(n²): the million-household city has 40,000 cells.
 */
export function withinRadius(geo: Geography, radius: number): RadiusLists {
  const { n, x, y } = geo;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, x[i]!); maxX = Math.max(maxX, x[i]!);
    minY = Math.min(minY, y[i]!); maxY = Math.max(maxY, y[i]!);
  }
  const size = Math.max(radius, 1e-9);
  const bw = Math.max(1, Math.floor((maxX - minX) / size) + 1);
  const bh = Math.max(1, Math.floor((maxY - minY) / size) + 1);
  const bucketOf = (i: number): number =>
    Math.floor((y[i]! - minY) / size) * bw + Math.floor((x[i]! - minX) / size);
  // Counting sort of cells into buckets.
  const bStart = new Int32Array(bw * bh + 1);
  for (let i = 0; i < n; i++) bStart[bucketOf(i) + 1]!++;
  for (let b = 0; b < bw * bh; b++) bStart[b + 1]! += bStart[b]!;
  const fill = bStart.slice(0, bw * bh);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[fill[bucketOf(i)]!++] = i;

  const r2 = radius * radius;
  const offset = new Int32Array(n + 1);
  const idx: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) {
    const bx = Math.floor((x[i]! - minX) / size);
    const by = Math.floor((y[i]! - minY) / size);
    for (let yy = Math.max(0, by - 1); yy <= Math.min(bh - 1, by + 1); yy++) {
      for (let xx = Math.max(0, bx - 1); xx <= Math.min(bw - 1, bx + 1); xx++) {
        const b = yy * bw + xx;
        for (let k = bStart[b]!; k < bStart[b + 1]!; k++) {
          const j = members[k]!;
          const dx = x[j]! - x[i]!;
          const dy = y[j]! - y[i]!;
          const d2 = dx * dx + dy * dy;
          if (d2 <= r2) {
            idx.push(j);
            dst.push(Math.sqrt(d2));
          }
        }
      }
    }
    offset[i + 1] = idx.length;
  }
  return { radius, offset, index: Int32Array.from(idx), dist: Float32Array.from(dst) };
}

/** Index of the nearest of `sites` (cell ids) to each cell, and the distance to it. */
export function nearestSite(geo: Geography, sites: ArrayLike<number>, count = sites.length): { site: Int32Array; dist: Float32Array } {
  const site = new Int32Array(geo.n).fill(-1);
  const dist = new Float32Array(geo.n).fill(Infinity);
  for (let i = 0; i < geo.n; i++) {
    for (let s = 0; s < count; s++) {
      const c = sites[s]!;
      if (c < 0) continue;
      const dx = geo.x[c]! - geo.x[i]!;
      const dy = geo.y[c]! - geo.y[i]!;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < dist[i]!) {
        dist[i] = d;
        site[i] = s;
      }
    }
  }
  return { site, dist };
}
