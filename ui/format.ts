/** Number formats and the names the lab shows for metrics, layers and policies. */
import type { PolicyKind } from '../sim/config/schema.ts';
import { isMoney, isRate } from '../sim/metrics/units.ts';

export const POLICY_LABELS: Record<PolicyKind, string> = {
  none: 'none',
  'tabula-rasa': 'tabula rasa',
  'place-based': 'place-based',
  'people-based': 'people-based',
  'hub-based': 'hub-based',
  integrated: 'integrated',
  'micro-regeneration': 'micro-regeneration',
};

export const POLICY_NOTES: Record<PolicyKind, string> = {
  none: 'no programme: the city as it would be',
  'tabula-rasa': 'clear the worst housing and rebuild (1960s–80s clearance)',
  'place-based': 'physical works, firm incentives and area programmes inside a boundary (the NDC era)',
  'people-based': 'portable means-tested transfers and training that follow residents anywhere',
  'hub-based': "a school as community hub: adult education, family support, employers, community, within its catchment",
  integrated: 'a hub with physical works where the community lacks them',
  'micro-regeneration': 'small renovations of housing and public space, no clearance',
};

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const POLICY_COLOURS: Record<PolicyKind, string> = {
  none: '#555555',
  'tabula-rasa': '#D55E00',
  'place-based': '#E69F00',
  'people-based': '#009E73',
  'hub-based': '#0072B2',
  integrated: '#CC79A7',
  'micro-regeneration': '#56B4E9',
};

export const METRIC_LABELS: Record<string, string> = {
  households: 'households',
  povertyRate: 'poverty rate',
  unemploymentRate: 'unemployment rate',
  outOfWorkRate: 'out of work (unemployed or sick)',
  medianIncome: 'median income',
  meanSkill: 'adult skill',
  childAttainment: 'child attainment',
  health: 'health',
  crime: 'crime',
  cohesion: 'cohesion',
  meanRent: 'mean rent',
  rentBurden: 'rent burden',
  firms: 'firms',
  jobs: 'jobs',
  turnover: 'turnover',
  forcedMoves: 'forced moves',
  housingQuality: 'housing quality',
  environment: 'environment',
  jobsCreated: 'jobs created',
  jobsRelocated: 'jobs moved in with relocating firms',
  floorspace: 'floorspace (m²)',
  homesBuilt: 'homes built',
  homesRefurbished: 'homes refurbished',
  privateInvestment: 'private investment',
  publicInvestment: 'public investment',
  brownfield: 'brownfield (acres)',
};

export const label = (m: string) => METRIC_LABELS[m] ?? m;

export { isMoney, isRate };

// One formatter for every call: `toLocaleString('en-GB')` builds a new one each time (~16 µs a
// call in Chromium against ~1 µs), and the charts' axes and sentences format hundreds of numbers
// a year while a comparison runs. Both give the same text (the spec defines one by the other).
const grouped = new Intl.NumberFormat('en-GB');
const group = (v: number) => grouped.format(Math.round(v));

/** A level: rates in %, money in £, counts grouped, indices with two decimals. */
export function fmt(name: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (isRate(name)) return `${(v * 100).toFixed(1)}%`;
  if (isMoney(name)) return `${v < 0 ? '−' : ''}£${group(Math.abs(v))}`;
  if (Number.isInteger(v) || Math.abs(v) >= 100) return group(v);
  return v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}

/** A difference: rates in percentage points, money in £, with a sign. */
export function fmtDiff(name: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const sign = v > 0 ? '+' : v < 0 ? '−' : '';
  const a = Math.abs(v);
  if (isRate(name)) return `${sign}${(a * 100).toFixed(1)} pts`;
  if (isMoney(name)) return `${sign}£${group(a)}`;
  if (a >= 100) return `${sign}${group(a)}`;
  return `${sign}${a.toFixed(a >= 1 ? 1 : 3)}`;
}
