/**
 * The Schelling (1971) segregation model: the teaching classic, kept apart from the city model
 * and run through the same facade (`model: "schelling"`; sim/simulation.ts dispatches here).
 *
 * Two groups of agents live on a wrapped grid (a torus), at most one agent a cell; an agent's
 * neighbours are the occupied cells among its eight surrounding cells. One tick is one round:
 *
 * - `threshold` rule (Schelling 1971; NetLogo's Segregation model, Wilensky 1997): the agents
 *   whose share of similar neighbours is below `threshold` at the start of the round move, in
 *   random order, each to an empty cell drawn uniformly. An agent with no neighbours is content.
 * - `continuous` rule (Bruch & Mare 2006): every agent, in random order, compares staying with
 *   `candidates` empty cells drawn uniformly and chooses by multinomial logit with utility
 *   `preferenceWeight` × the share of similar neighbours it would have there. Preferences rise
 *   smoothly instead of jumping at a threshold, and the logit leaves room for other reasons to live
 *   somewhere; Bruch and Mare argue this is what weakens tipping. Van de Rijt, Siegel and Macy
 *   (2009) show the contrast depends on how much of the choice is noise: `preferenceWeight` is the
 *   lever to see it.
 *
 * Frames come every four rounds (a "year" of the engine's clock), with the share of similar
 * neighbours as NetLogo reports it ("percent similar": similar neighbours over occupied
 * neighbours, summed over agents). Randomness: one named stream, "schelling".
 */
import type { ScenarioConfig } from './config/schema.ts';
import { createRng, shuffle, type Stream } from './rng.ts';
import type { MetricValues, Snapshot, YearFrame } from './types.ts';

/** Cells on each side in the Moore neighbourhood. */
const NEIGHBOURS = 8;
/** Rounds per yearly frame: the engine's clock counts four ticks a year. */
export const ROUNDS_PER_FRAME = 4;

export interface SchellingModel {
  readonly width: number;
  readonly height: number;
  /** 0 empty, 1 or 2: the group of the agent living there. */
  readonly grid: Int8Array;
  /** Rounds played so far. */
  readonly tick: number;
  /** Plays `rounds` rounds. */
  step(rounds?: number): void;
  /** The metrics now (moves counted since the last call of `metrics`). */
  metrics(): MetricValues;
  /** Per-cell layers for maps. */
  layers(): Record<string, Float32Array>;
}

/** Neighbour table of a wrapped grid: cells of k at nbr[8k .. 8k + 7]. */
function torusNeighbours(width: number, height: number): Int32Array {
  const nbr = new Int32Array(width * height * NEIGHBOURS);
  let e = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          nbr[e++] = ((y + dy + height) % height) * width + ((x + dx + width) % width);
        }
      }
    }
  }
  return nbr;
}

/** Creates the model: cells occupied in random order, groups drawn in the given shares. */
export function createSchelling(config: ScenarioConfig, seed: number): SchellingModel {
  const p = config.schelling;
  const { width, height } = p;
  const n = width * height;
  const nbr = torusNeighbours(width, height);
  const rng = createRng(seed);
  const s: Stream = rng.stream('schelling');

  const grid = new Int8Array(n);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  shuffle(order, n, s);
  const agents = Math.round(p.density * n);
  const first = Math.round(p.groupShare * agents);
  for (let i = 0; i < agents; i++) grid[order[i]!] = i < first ? 1 : 2;

  // Empty cells as a list with each cell's position in it, for O(1) draws and swaps.
  const empty = new Int32Array(n);
  const where = new Int32Array(n).fill(-1);
  let emptyCount = 0;
  for (let k = 0; k < n; k++) {
    if (grid[k] === 0) {
      where[k] = emptyCount;
      empty[emptyCount++] = k;
    }
  }

  /**
   * Similar and occupied neighbours of cell `k` for an agent of group `g`, not counting the cell
   * `self` (the agent's own home when it looks at a cell next to it).
   */
  let similar = 0;
  let occupied = 0;
  const count = (k: number, g: number, self: number): void => {
    similar = 0;
    occupied = 0;
    for (let e = k * NEIGHBOURS; e < (k + 1) * NEIGHBOURS; e++) {
      const j = nbr[e]!;
      if (j === self) continue;
      const gj = grid[j]!;
      if (gj === 0) continue;
      occupied++;
      if (gj === g) similar++;
    }
  };
  const shareAt = (k: number, g: number, self: number): number => {
    count(k, g, self);
    return occupied > 0 ? similar / occupied : 1;
  };
  const unhappy = (k: number): boolean => {
    count(k, grid[k]!, k);
    return similar < p.threshold * occupied;
  };

  /** Moves the agent at `from` into the empty cell at position `slot` of the empty list. */
  const move = (from: number, slot: number): void => {
    const to = empty[slot]!;
    grid[to] = grid[from]!;
    grid[from] = 0;
    where[to] = -1;
    empty[slot] = from;
    where[from] = slot;
  };

  let tick = 0;
  let moves = 0;
  const movers = new Int32Array(n);
  const utility = new Float64Array(p.candidates + 1);
  const slots = new Int32Array(p.candidates + 1);

  const thresholdRound = (): void => {
    let m = 0;
    for (let k = 0; k < n; k++) if (grid[k] !== 0 && unhappy(k)) movers[m++] = k;
    shuffle(movers, m, s);
    for (let i = 0; i < m && emptyCount > 0; i++) {
      move(movers[i]!, s.int(emptyCount));
      moves++;
    }
  };

  const continuousRound = (): void => {
    // Agents are identified by their cell at the start of the round; one that has moved is
    // followed to its new cell so that no agent chooses twice.
    let m = 0;
    for (let k = 0; k < n; k++) if (grid[k] !== 0) movers[m++] = k;
    shuffle(movers, m, s);
    const chosen = new Uint8Array(n);
    for (let i = 0; i < m; i++) {
      const k = movers[i]!;
      if (chosen[k] || grid[k] === 0 || emptyCount === 0) continue;
      const g = grid[k]!;
      const c = Math.min(p.candidates, emptyCount);
      utility[0] = p.preferenceWeight * shareAt(k, g, k);
      for (let j = 1; j <= c; j++) {
        slots[j] = s.int(emptyCount);
        utility[j] = p.preferenceWeight * shareAt(empty[slots[j]!]!, g, k);
      }
      // Logit choice by one uniform over exp-utilities (the same law as Gumbel taste shocks).
      let max = -Infinity;
      for (let j = 0; j <= c; j++) max = Math.max(max, utility[j]!);
      let total = 0;
      for (let j = 0; j <= c; j++) total += Math.exp(utility[j]! - max);
      let u = s.next() * total;
      let pick = c;
      for (let j = 0; j <= c; j++) {
        u -= Math.exp(utility[j]! - max);
        if (u < 0) {
          pick = j;
          break;
        }
      }
      if (pick === 0) {
        chosen[k] = 1;
        continue;
      }
      const to = empty[slots[pick]!]!;
      move(k, slots[pick]!);
      chosen[to] = 1;
      moves++;
    }
  };

  return {
    width,
    height,
    grid,
    get tick() {
      return tick;
    },
    step(rounds = 1) {
      for (let r = 0; r < rounds; r++) {
        if (p.rule === 'threshold') thresholdRound();
        else continuousRound();
        tick++;
      }
    },
    metrics() {
      let agentsNow = 0, sim = 0, occ = 0, sad = 0, firstGroup = 0;
      for (let k = 0; k < n; k++) {
        const g = grid[k]!;
        if (g === 0) continue;
        agentsNow++;
        if (g === 1) firstGroup++;
        count(k, g, k);
        sim += similar;
        occ += occupied;
        if (similar < p.threshold * occupied) sad++;
      }
      const out: MetricValues = {
        agents: agentsNow,
        similarNeighbourShare: occ > 0 ? sim / occ : 0,
        unhappyShare: agentsNow > 0 ? sad / agentsNow : 0,
        movesPerAgent: agentsNow > 0 ? moves / agentsNow : 0,
        firstGroupShare: agentsNow > 0 ? firstGroup / agentsNow : 0,
        rounds: tick,
      };
      moves = 0;
      return out;
    },
    layers() {
      const group = new Float32Array(n);
      const share = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        group[k] = grid[k]!;
        share[k] = grid[k] === 0 ? 0 : shareAt(k, grid[k]!, k);
      }
      return { group, similarShare: share };
    },
  };
}

/**
 * The facade's view of a Schelling run: yearly frames of `city` metrics (four rounds a frame)
 * and snapshots with the groups on the grid.
 */
export function schellingSimulation(config: ScenarioConfig, seed: number) {
  const model = createSchelling(config, seed);
  const series: YearFrame[] = [{ year: 0, city: model.metrics() }];
  return {
    model,
    series,
    step(ticks = 1): void {
      for (let t = 0; t < ticks; t++) {
        model.step(1);
        if (model.tick % ROUNDS_PER_FRAME === 0) series.push({ year: model.tick / ROUNDS_PER_FRAME, city: model.metrics() });
      }
    },
    snapshot(): Snapshot {
      return { year: Math.floor(model.tick / ROUNDS_PER_FRAME), tick: model.tick, n: model.width * model.height, layers: model.layers() };
    },
  };
}
