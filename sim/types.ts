/**
 * Plain-data shapes that leave the engine: metrics frames, run results, snapshots.
 * The UI and the batch runner read these, never the live typed arrays.
 */

/** Regions of the city (INTERFACE.md). */
export const REGIONS = ['city', 'target', 'ring', 'comparison', 'rest'] as const;
export type RegionName = (typeof REGIONS)[number];

/**
 * People views: the target's residents at programme start, followed wherever they live; those in
 * the target now who moved in since; the households set up since by original residents' children.
 */
export const VIEWS = ['originalResidents', 'stayers', 'leavers', 'inMovers', 'grownChildren'] as const;
export type ViewName = (typeof VIEWS)[number];

/** Metric name → value for one region or view. */
export type MetricValues = Record<string, number>;

/** One year's metrics. Regions and views appear once a policy has drawn a target. */
export interface YearFrame {
  year: number;
  city: MetricValues;
  target?: MetricValues;
  ring?: MetricValues;
  comparison?: MetricValues;
  rest?: MetricValues;
  originalResidents?: MetricValues;
  stayers?: MetricValues;
  leavers?: MetricValues;
  inMovers?: MetricValues;
  /** Households set up since the start by children who lived in the target then (sim/world.ts `inheritOrigins`). */
  grownChildren?: MetricValues;
  outputs?: MetricValues;
  spending?: MetricValues;
  churn?: MetricValues;
  /**
   * The target's rule against `policy.compareBoundary`, drawn at the start: overlap, units that
   * change status, where the deprived units lie under each (constant once drawn).
   */
  boundaries?: MetricValues;
}

/** The JSON of `regensim run --json` (INTERFACE.md). */
export interface RunResult {
  version: string;
  scenario: string;
  policy: string;
  seed: number;
  years: number;
  configHash: string;
  final: Omit<YearFrame, 'year'>;
  series: YearFrame[];
  /** The regions when the programme started (absent without a target). */
  baseline?: Omit<YearFrame, 'year'>;
  /**
   * Difference in differences of the target against the comparison areas, from the programme's
   * start to its end (or to the last year, if the run stops earlier), per core indicator.
   */
  did?: Record<string, number>;
}

/** Per-neighbourhood layers for maps, copied out of the engine (transferable buffers). */
export interface Snapshot {
  year: number;
  tick: number;
  n: number;
  layers: Record<string, Float32Array>;
  /** Schools (kind 0) and clinics (kind 1): cell, quality, open flag; `hub` is the hub's index or -1. */
  facilities?: { kind: Uint8Array; cell: Int32Array; quality: Float32Array; open: Uint8Array; hub: number };
}
