/**
 * A Fenwick (binary indexed) tree over non-negative weights: O(log n) update and weighted
 * sampling. Movers sample vacant units with it (weight = vacancies of a cell), so a mover's
 * candidates are drawn in proportion to vacancies without scanning every cell.
 */
export interface Fenwick {
  readonly n: number;
  readonly tree: Float64Array;
  /** Highest power of two ≤ n, for the descent in `find`. */
  readonly top: number;
}

export function createFenwick(n: number): Fenwick {
  let top = 1;
  while (top * 2 <= n) top *= 2;
  return { n, tree: new Float64Array(n + 1), top };
}

/** Rebuilds from weights in O(n). */
export function fenwickBuild(f: Fenwick, weight: (i: number) => number): void {
  const t = f.tree;
  t.fill(0);
  for (let i = 1; i <= f.n; i++) {
    t[i]! += Math.max(0, weight(i - 1));
    const j = i + (i & -i);
    if (j <= f.n) t[j]! += t[i]!;
  }
}

export function fenwickAdd(f: Fenwick, i: number, delta: number): void {
  for (let k = i + 1; k <= f.n; k += k & -k) f.tree[k]! += delta;
}

export function fenwickTotal(f: Fenwick): number {
  let s = 0;
  for (let k = f.n; k > 0; k -= k & -k) s += f.tree[k]!;
  return s;
}

/** Index i such that the prefix sum before i ≤ u < prefix sum through i (u in [0, total)). */
export function fenwickFind(f: Fenwick, u: number): number {
  let pos = 0;
  for (let step = f.top; step > 0; step >>= 1) {
    const next = pos + step;
    if (next <= f.n && f.tree[next]! <= u) {
      pos = next;
      u -= f.tree[next]!;
    }
  }
  return Math.min(pos, f.n - 1);
}
