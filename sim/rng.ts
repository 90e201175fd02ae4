/**
 * Seeded, named random streams.
 *
 * One seed per run; every subsystem draws from its own stream (`rng.stream("mobility")`), derived
 * from the run seed and the stream's name, so that switching a policy on does not shift the draws
 * of the subsystems it does not touch (common random numbers for paired comparisons). Where a
 * draw must stay the same for the same entity whatever else happened (a household's luck in
 * tick t), use `keyed(name, id, tick)`: a stateless hash of (seed, stream, id, tick).
 *
 * Streams use seedrandom's Alea (pure IEEE arithmetic: identical in Node and in browsers).
 * Nothing here touches the global random generator.
 */
import seedrandom from 'seedrandom';

/** The algorithm recorded in manifests, so that a result can be reproduced. */
export const RNG_ALGORITHM = 'seedrandom-alea-3.0.5+murmur3-fmix32-keyed-v2';

export interface Stream {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller, one value per call, no cached spare: keeps streams aligned). */
  normal(): number;
  /** Poisson(lambda) for small lambda (Knuth), normal approximation above 50. */
  poisson(lambda: number): number;
}

export interface Rng {
  readonly seed: number;
  /** The named stream; the same object on every call with the same name. */
  stream(name: string): Stream;
  /**
   * A new stream of (seed, name) from its start, not kept in the Rng or its state: for draws that
   * belong to one occasion named in full (a year's permutation test), so that they depend on that
   * occasion only and not on how many came before it.
   */
  fresh(name: string): Stream;
  /** A uniform in [0, 1) that depends only on (seed, name, a, b): no state, no order dependence. */
  keyed(name: string, a: number, b: number): number;
  /**
   * The (seed, name) part of `keyed`, for hot loops: `keyedDraw(rng.keyBase(name), a, b)` equals
   * `rng.keyed(name, a, b)` without a lookup per draw.
   */
  keyBase(name: string): number;
  /** Where every stream opened so far stands: `createRng(seed, state)` resumes from here. */
  state(): RngState;
}

/** A snapshot of an Rng's streams (plain data: it can be cloned or sent to another thread). */
export interface RngState {
  seed: number;
  streams: Record<string, StreamState>;
}

/** The keyed uniform for a base from `Rng.keyBase`: two rounds of murmur3's finaliser. */
export function keyedDraw(base: number, a: number, b: number): number {
  let h = mix32(base ^ Math.imul(a | 0, 0x9e3779b1));
  h = mix32(h ^ Math.imul(b | 0, 0x85ebca77));
  return h / 4294967296;
}

/** FNV-1a's 32-bit offset basis: the hash state before any character. */
export const FNV_BASIS = 0x811c9dc5;

/**
 * 32-bit FNV-1a of a string's UTF-16 code units, continued from `state` (FNV_BASIS to start), so
 * that hashing pieces in turn equals hashing their concatenation.
 */
export function fnv1a(s: string, state: number = FNV_BASIS): number {
  let h = state;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a fast, well-mixed integer hash. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The internal state of one alea generator (seedrandom's `state()`): plain numbers. */
export type StreamState = seedrandom.State.Alea;

function makeStream(seed: number, name: string, saved?: StreamState): { stream: Stream; state: () => StreamState } {
  // `state: true` only adds a `state()` method; the sequence is the same. A saved state resumes
  // the generator exactly where another one stopped.
  const prng = seedrandom.alea(`${seed}:${name}`, { state: saved ?? true });
  const next = (): number => prng();
  const stream: Stream = {
    next,
    int: (n) => Math.floor(prng() * n),
    normal: () => {
      // 1 - u avoids log(0).
      const u = 1 - prng();
      const v = prng();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    poisson: (lambda) => {
      if (lambda <= 0) return 0;
      if (lambda > 50) {
        const u = 1 - prng();
        const v = prng();
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
      }
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= prng();
      } while (p > l);
      return k - 1;
    },
  };
  return { stream, state: () => prng.state() };
}

export function createRng(seed: number, saved?: RngState): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const streams = new Map<string, Stream>();
  const states = new Map<string, () => StreamState>();
  const open = (name: string, from?: StreamState): Stream => {
    const made = makeStream(seed, name, from);
    streams.set(name, made.stream);
    states.set(name, made.state);
    return made.stream;
  };
  if (saved) {
    if (saved.seed !== seed) throw new RangeError(`rng state of seed ${saved.seed} restored under seed ${seed}`);
    for (const name of Object.keys(saved.streams).sort()) open(name, saved.streams[name]!);
  }
  // Name hashes are cached: keyed draws run per household per tick, and hashing the name each
  // time cost more than the draw itself.
  const nameHashes = new Map<string, number>();
  const seedKey = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 4294967296));
  return {
    seed,
    stream(name) {
      return streams.get(name) ?? open(name);
    },
    fresh(name) {
      return makeStream(seed, name).stream;
    },
    state() {
      const out: Record<string, StreamState> = {};
      for (const [name, get] of states) out[name] = get();
      return { seed, streams: out };
    },
    keyBase(name) {
      // The (seed, name) part is mixed once and cached; each draw then mixes in a and b.
      let base = nameHashes.get(name);
      if (base === undefined) {
        base = mix32(seedKey ^ mix32(fnv1a(name)));
        nameHashes.set(name, base);
      }
      return base;
    },
    keyed(name, a, b) {
      return keyedDraw(this.keyBase(name), a, b);
    },
  };
}

/** Fisher–Yates shuffle of the first n entries of an index array, in place. */
export function shuffle(a: Int32Array, n: number, s: Stream): void {
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(s.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
