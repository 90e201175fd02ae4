/**
 * A Fenwick (binary indexed) tree over non-negative whole counts: O(log n) update and weighted
 * sampling. Movers sample vacant units with it (weight = vacancies of a cell), so a mover's
 * candidates are drawn in proportion to vacancies without scanning every cell.
 *
 * The counts are whole numbers (vacancies), so the tree holds 32-bit integers and `find` works on
 * the whole part of the draw: a sum of whole counts is ≤ u exactly when it is ≤ floor(u), and the
 * descent then takes the same path as on the draw itself.
 */
export interface Fenwick {
  readonly n: number;
  /**
   * Nodes 1..n; nodes n+1 .. 2·top−1 hold PAD, so that `find` may read any node its descent can
   * reach without a bounds test.
   */
  readonly tree: Int32Array;
  /** Highest power of two ≤ n, for the descent in `find`. */
  readonly top: number;
  /**
   * First step of the descent: `top`, or top / 2 when n is itself a power of two. Then node n is
   * the total, which a draw never reaches, and stepping to it could only give n, which `find`
   * turns into n − 1, where the descent from top / 2 ends in that case anyway.
   */
  readonly first: number;
}

/** Count of the nodes past n: more than any draw (draws are below the total), never taken. */
const PAD = 1 << 30;

export function createFenwick(n: number): Fenwick {
  let top = 1;
  while (top * 2 <= n) top *= 2;
  const tree = new Int32Array(Math.max(n + 1, 2 * top)).fill(PAD);
  tree.fill(0, 0, n + 1);
  return { n, tree, top, first: top === n ? top >> 1 : top };
}

/** Rebuilds from whole-number weights (negative ones count as 0) in O(n). */
export function fenwickBuild(f: Fenwick, weight: (i: number) => number): void {
  const t = f.tree;
  t.fill(0, 0, f.n + 1);
  for (let i = 1; i <= f.n; i++) {
    t[i]! += Math.max(0, weight(i - 1));
    const j = i + (i & -i);
    if (j <= f.n) t[j]! += t[i]!;
  }
}

/** Adds a whole `delta` to the weight of i. */
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
 * −1 when the node's count is ≤ the remaining draw (t − rest − 1 < 0) and 0 otherwise; nodes
 * past n hold PAD, which is never taken.
 */
export function fenwickFind(f: Fenwick, u: number): number {
  const tree = f.tree;
  let rest = Math.floor(u);
  let pos = 0;
  for (let step = f.first; step > 0; step >>= 1) {
    const t = tree[pos + step]!;
    const take = (t - rest - 1) >> 31;
    pos += step & take;
    rest -= t & take;
  }
  return Math.min(pos, f.n - 1);
}
