/**
 * Metrics as named reporters (Mesa's DataCollector, NetLogo's monitors): each reporter is a name
 * and a function of the world; `createMetrics(world).frame()` collects them into a plain
 * `YearFrame`. Reporters read the world and never change it, and they know nothing of policies.
 *
 * Region metrics (INTERFACE.md names) aggregate the households living in a region's cells.
 * Yearly flows (turnover, forced moves, mobility) are differences of cumulative counters
 * between two frames.
 */
import type { MetricValues, YearFrame } from '../types.ts';
import type { World } from '../world.ts';
import { REGION_CODES, yearOfTick } from '../world.ts';
import { IMD_2019, deprivationIndex, deprivationIndexByGroup, domainScores, mostDeprived, newDomainScores } from './deprivation.ts';
import { GROUP, GROUP_COUNT, householdGroups, newPeopleScratch, peopleMetricsByGroup, peopleMetricsWithCity, peopleMetricsWithOrder, programmeFrames } from './programme.ts';
import { concentratedPovertyShare, dissimilarity, isolation, lisaHotspots, moransI } from './concentration.ts';

export { REGION_CODES };

export interface Metrics {
  /** Collects this year's frame and resets the yearly flow counters. */
  frame(): YearFrame;
  /**
   * `frame()`, and the frame of each view of a tracker (sim/world.ts, `trackerView`) for the same
   * year: the same city, that tracker's regions and people views.
   */
  frames(views: readonly World[]): { frame: YearFrame; tracked: YearFrame[] };
  /**
   * Ends a year without its frame: keeps what the next frames read (the flows since this year's
   * end, the year's most deprived units for the five-year persistence), so that a run reporting
   * only some years reports them exactly as a run reporting every year.
   */
  skip(): void;
  /** What the next frames read of the years before (copies): `createMetrics(world, state)` resumes from it. */
  state(): MetricsState;
  /**
   * Records the regions' state when a programme starts (its target just drawn): the baseline of
   * the evaluation and of the people views; of a tracker's regions when given its view.
   */
  baseline(view?: World): Omit<YearFrame, 'year'>;
}

/**
 * A region's metrics: `people`, the aggregates of the households living in it (from
 * `peopleMetricsByGroup`), with those of its cells and firms, where `inRegion(cell)` holds.
 */
export function regionMetrics(w: World, inRegion: (k: number) => boolean, people: MetricValues, flows: Flows): MetricValues {
  const c = w.cells;
  const f = w.firms;
  const households = people.households!;
  let crime = 0, cohesion = 0, rent = 0, units = 0, movesIn = 0, movesOut = 0, forced = 0, cellsN = 0;
  let quality = 0, environment = 0;
  for (let k = 0; k < c.n; k++) {
    if (!inRegion(k)) continue;
    cellsN++;
    crime += c.crime[k]! * c.households[k]!;
    cohesion += c.cohesion[k]! * c.households[k]!;
    quality += c.quality[k]! * c.households[k]!;
    environment += c.environment[k]! * c.households[k]!;
    const market = c.units[k]! - c.social[k]!;
    rent += c.rent[k]! * market;
    units += market;
    movesIn += c.movesIn[k]! - flows.movesIn[k]!;
    movesOut += c.movesOut[k]! - flows.movesOut[k]!;
    forced += c.forcedOut[k]! - flows.forcedOut[k]!;
  }
  let firms = 0, jobs = 0;
  for (let i = 0; i < f.count; i++) {
    if (!f.alive[i] || !inRegion(f.cell[i]!)) continue;
    firms++;
    jobs += f.filled[i]!;
  }
  const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
  return {
    households,
    povertyRate: people.povertyRate!,
    unemploymentRate: people.unemploymentRate!,
    outOfWorkRate: people.outOfWorkRate!,
    medianIncome: people.medianIncome!,
    meanSkill: people.meanSkill!,
    childAttainment: people.childAttainment!,
    health: people.health!,
    crime: div(crime, households),
    cohesion: div(cohesion, households),
    housingQuality: div(quality, households),
    environment: div(environment, households),
    meanRent: div(rent, units),
    rentBurden: people.rentBurden!,
    firms,
    jobs,
    turnover: div((movesIn + movesOut) / 2, households),
    forcedMoves: forced,
    cells: cellsN,
  };
}

export interface Flows {
  movesIn: Float64Array;
  movesOut: Float64Array;
  forcedOut: Float64Array;
  moveLogAt: number;
}

/** The reporters' memory of past years (plain data): the flows' start and each year's deprived units. */
export interface MetricsState {
  flows: Flows;
  deprivedByYear: Uint8Array[];
}

export function createMetrics(w: World, from?: MetricsState): Metrics {
  const n = w.cells.n;
  const flows: Flows = from
    ? { movesIn: from.flows.movesIn.slice(), movesOut: from.flows.movesOut.slice(), forcedOut: from.flows.forcedOut.slice(), moveLogAt: from.flows.moveLogAt }
    : { movesIn: new Float64Array(n), movesOut: new Float64Array(n), forcedOut: new Float64Array(n), moveLogAt: 0 };
  // The most deprived tenth of statistical units (the model's LSOAs; IMD 2019 weights) each year.
  const deprivedByYear: Uint8Array[] = from ? from.deprivedByYear.map((d) => d.slice()) : [];
  // The people metrics' working arrays, this run's own (a frame reads what they return before the
  // next frame's pass overwrites them), so that a year does not allocate arrays of every household.
  const scratch = newPeopleScratch();
  // The same for the cells' layers (the city's cells do not change in number): each is read only
  // within the frame that writes it.
  const rate = new Float64Array(n);
  const include = new Uint8Array(n);
  const scores = newDomainScores(n);
  /** A frame's yearly flows run from the end of the last year, framed or skipped. */
  const endPeriod = (): void => {
    const c = w.cells;
    flows.movesIn.set(c.movesIn);
    flows.movesOut.set(c.movesOut);
    flows.forcedOut.set(c.forcedOut);
    flows.moveLogAt = w.moves.length;
  };
  const metrics: Metrics = {
    frame(): YearFrame {
      return metrics.frames([]).frame;
    },
    frames(views) {
      const c = w.cells;
      // Every group's household aggregates in one pass, and the Gini of the city's incomes.
      const { values: people, gini, city: order, residents } = peopleMetricsWithCity(w, householdGroups(w, true, scratch), GROUP_COUNT, scratch);
      const city = regionMetrics(w, () => true, people[GROUP.city]!, flows);
      // Concentration over neighbourhoods with residents.
      for (let k = 0; k < n; k++) {
        include[k] = c.households[k]! > 0 ? 1 : 0;
        rate[k] = include[k] ? c.poor[k]! / c.households[k]! : 0;
      }
      city.dissimilarity = dissimilarity(c.poor, c.households);
      city.isolation = isolation(c.poor, c.households);
      city.concentratedPovertyShare = concentratedPovertyShare(c.poor, c.households, 0.4);
      city.moransI = moransI(rate, w.geo, include);
      // The permutations draw from a stream of the year's own: a year's count does not depend on
      // which years before it were framed (a run may report only some years: `skip`).
      const lisaStream = w.rng.fresh(`metrics/lisa/${yearOfTick(w.config, w.city.tick)}`);
      city.lisaHotspots = lisaHotspots(rate, w.geo, lisaStream, w.config.metrics.lisaPermutations, w.config.metrics.lisaAlpha, include).count;
      city.gini = gini;
      // Yearly residential mobility: homes taken in the city (moves within and arrivals) per household.
      let moved = 0;
      const m = w.moves;
      for (let i = flows.moveLogAt; i < m.length; i++) if (m.to[i]! >= 0) moved++;
      city.mobilityRate = city.households! > 0 ? moved / city.households! : 0;
      domainScores(w, residents, scores);
      const deprived = mostDeprived(deprivationIndex(w, IMD_2019, scores), c.households, 0.1);
      const deprivedUnits = mostDeprivedUnits(w, scores);
      deprivedByYear.push(deprivedUnits);
      let lfDeprived = 0, unDeprived = 0, sickDeprived = 0;
      for (let k = 0; k < n; k++) {
        if (!deprived[k]) continue;
        lfDeprived += c.labourForce[k]!;
        unDeprived += c.unemployed[k]!;
        sickDeprived += c.sick[k]!;
      }
      city.deprivedUnemploymentRate = lfDeprived > 0 ? unDeprived / lfDeprived : 0;
      // What England's employment domain counts there: the working-age out of work, unemployed or
      // sick, over all of working age (the 15–25% of MODEL.md §7 is this rate; see docs/ODD.md §9).
      city.deprivedOutOfWorkRate = lfDeprived + sickDeprived > 0 ? (unDeprived + sickDeprived) / (lfDeprived + sickDeprived) : 0;
      if (deprivedByYear.length > 5) {
        // Share of the most deprived tenth five years ago that is still in it (England 2015→2019: 88%).
        const before = deprivedByYear[deprivedByYear.length - 6]!;
        let was = 0, still = 0;
        for (let j = 0; j < before.length; j++) {
          if (!before[j]) continue;
          was++;
          if (deprivedUnits[j]) still++;
        }
        city.deprivedPersistence5y = was > 0 ? still / was : 0;
      }
      city.povertyLine = w.city.povertyLine;
      city.meanIncome = w.city.meanIncome;
      const year = yearOfTick(w.config, w.city.tick);
      const frame: YearFrame = { year, city };
      if (w.region.hasTarget) Object.assign(frame, regionFrames(w, people, flows), programmeFrames(w, people));
      // A tracker's frame has the same city (a copy) and its own regions, over the same flows.
      const tracked = views.map((v): YearFrame => {
        const f: YearFrame = { year, city: { ...city } };
        if (!v.region.hasTarget) return f;
        // The city's mask is spent: the view's takes its place in the scratch.
        const { values } = peopleMetricsWithOrder(v, householdGroups(v, false, scratch), GROUP_COUNT, order, scratch);
        return Object.assign(f, regionFrames(v, values, flows), programmeFrames(v, values));
      });
      endPeriod();
      return { frame, tracked };
    },
    skip() {
      deprivedByYear.push(mostDeprivedUnits(w, domainScores(w)));
      endPeriod();
    },
    state() {
      return {
        flows: { movesIn: flows.movesIn.slice(), movesOut: flows.movesOut.slice(), forcedOut: flows.forcedOut.slice(), moveLogAt: flows.moveLogAt },
        deprivedByYear: deprivedByYear.map((d) => d.slice()),
      };
    },
    baseline(v = w) {
      const { values: people } = peopleMetricsByGroup(v, householdGroups(v), GROUP_COUNT);
      // Flows over a zero-length period: the baseline holds levels, not yearly flows.
      const now: Flows = {
        movesIn: v.cells.movesIn.slice(), movesOut: v.cells.movesOut.slice(), forcedOut: v.cells.forcedOut.slice(), moveLogAt: v.moves.length,
      };
      return { city: regionMetrics(v, () => true, people[GROUP.city]!, now), ...regionFrames(v, people, now), ...programmeFrames(v, people) };
    },
  };
  return metrics;
}

/** The most deprived tenth of statistical units (IMD 2019 weights), one flag per unit. */
function mostDeprivedUnits(w: World, scores: ReturnType<typeof domainScores>): Uint8Array {
  const units = deprivationIndexByGroup(w, w.geo.statUnit, IMD_2019, scores);
  return mostDeprived(units.index, units.households, 0.1);
}

/** Target, ring, comparison and rest. */
function regionFrames(w: World, people: readonly MetricValues[], flows: Flows): Pick<YearFrame, 'target' | 'ring' | 'comparison' | 'rest'> {
  const code = w.region.code;
  return {
    target: regionMetrics(w, (k) => code[k] === REGION_CODES.target, people[GROUP.target]!, flows),
    ring: regionMetrics(w, (k) => code[k] === REGION_CODES.ring, people[GROUP.ring]!, flows),
    comparison: regionMetrics(w, (k) => code[k] === REGION_CODES.comparison, people[GROUP.comparison]!, flows),
    rest: regionMetrics(w, (k) => code[k] === REGION_CODES.rest, people[GROUP.rest]!, flows),
  };
}
