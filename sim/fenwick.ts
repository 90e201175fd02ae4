/**
 * A Fenwick (binary indexed) tree over non-negative weights: O(log n) update and weighted
 * sampling. Movers sample vacant units with it (weight = vacancies of a cell), so a mover's
 * candidates are drawn in proportion to vacancies without scanning every cell.
 */
export interface Fenwick {
  readonly n: number;
  /**
   * Nodes 1..n; nodes n+1 .. 2·top−1 hold PAD, so that `find` may read any node its descent can
   * reach without a bounds test.
   */
  readonly tree: Float64Array;
  /** Highest power of two ≤ n, for the descent in `find`. */
  readonly top: number;
}

/**
 * Weight of the nodes past n: never ≤ a draw (draws are below the total), and finite, so that
 * PAD × 0 is 0 in the branch-free descent of `find`.
 */
const PAD = 1e300;

export function createFenwick(n: number): Fenwick {
  let top = 1;
  while (top * 2 <= n) top *= 2;
  const tree = new Float64Array(Math.max(n + 1, 2 * top)).fill(PAD);
  tree.fill(0, 0, n + 1);
  return { n, tree, top };
}

/** Rebuilds from weights in O(n). */
export function fenwickBuild(f: Fenwick, weight: (i: number) => number): void {
  const t = f.tree;
  t.fill(0, 0, f.n + 1);
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

/**
 * Index i such that the prefix sum before i ≤ u < prefix sum through i (u in [0, total)).
 *
 * The descent by powers of two takes each step or not without a branch: which way a draw goes
 * is unpredictable, and a mispredicted branch per level cost more than the arithmetic. `take` is
 * 0 or 1, so u − t × take is u − t or exactly u (nodes past n hold PAD, which is never taken).
 */
export function fenwickFind(f: Fenwick, u: number): number {
  const tree = f.tree;
  let pos = 0;
  for (let step = f.top; step > 0; step >>= 1) {
    const t = tree[pos + step]!;
    const take = +(t <= u);
    pos += step & -take;
    u -= t * take;
  }
  return Math.min(pos, f.n - 1);
}
