/**
 * Builds the starting city from a scenario: geography, neighbourhood stock, schools and clinics,
 * households sorted into housing by skill (with noise), firms, and an initial job matching.
 *
 * The generated city has a centre (most commercial floorspace) and several old industrial
 * districts: denser, poorer-quality housing, social estates, brownfield land, a worse environment.
 * Nothing is placed by policy: deprivation then emerges from who can afford what.
 */
import type { ScenarioConfig } from './config/schema.ts';
import type { Geography } from './geography.ts';
import { createGridGeography, withinRadius } from './geography.ts';
import { createRng, shuffle } from './rng.ts';
import type { Stream } from './rng.ts';
import { restructured, type World } from './world.ts';
import {
  CLINIC, OWNER, PRIVATE, SCHOOL, SOCIAL, addFirm, addHousehold, allocCells, allocFirms, allocHouseholds,
  allocMoveLog, allocResources, emptyLedger, occupy,
} from './world.ts';
import { firms, initFirmJobs, updateAccess } from './subsystems/firms.ts';
import { indexFirmsByCell, searchJob, updateIncomes } from './subsystems/labour.ts';
import { assignCatchments, updateResources } from './subsystems/humanCapital.ts';
import { amenityLogRent, updateAllowanceCap, updateAllowances } from './subsystems/housing.ts';
import { updatePoverty, updatePovertyLine } from './subsystems/neighbourhood.ts';
import { census } from './census.ts';
import { startEmploymentQuarters } from './metrics/deprivation.ts';
import { planSmallAreaCity } from './smallAreaCity.ts';

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Splits an integer total across weights (largest remainder), deterministically. */
export function apportion(total: number, weights: ArrayLike<number>): Int32Array {
  const n = weights.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i]!;
  const out = new Int32Array(n);
  const rem = new Float64Array(n);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const x = sum > 0 ? (total * weights[i]!) / sum : 0;
    out[i] = Math.floor(x);
    rem[i] = x - out[i]!;
    given += out[i]!;
  }
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => rem[b]! - rem[a]! || a - b);
  for (let j = 0; j < total - given; j++) out[idx[j % n]!]!++;
  return out;
}

/** Sorted index order of keys (ascending), stable by index. */
function argsort(keys: Float64Array): Int32Array {
  const idx = new Int32Array(keys.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Weighted farthest-point placement of `count` facilities: spread out, near people. */
function placeSites(geo: Geography, weight: Float64Array, count: number): Int32Array {
  const n = geo.n;
  const best = new Float64Array(n).fill(Infinity);
  const sites = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    let pick = 0;
    let score = -1;
    for (let k = 0; k < n; k++) {
      const v = weight[k]! * Math.min(best[k]!, 1e6);
      if (v > score) {
        score = v;
        pick = k;
      }
    }
    sites[s] = pick;
    for (let k = 0; k < n; k++) {
      const dx = geo.x[k]! - geo.x[pick]!;
      const dy = geo.y[k]! - geo.y[pick]!;
      best[k] = Math.min(best[k]!, Math.sqrt(dx * dx + dy * dy));
    }
  }
  return sites;
}

export function createWorld(config: ScenarioConfig, seed: number = config.run.seed): World {
  const rng = createRng(seed);
  const rs = rng.stream('init');
  // A real city (city.smallAreas) brings its own geography, character and housing (sim/smallAreaCity.ts).
  const plan = config.city.smallAreas === undefined ? null : planSmallAreaCity(config);
  const geo = plan ? plan.geo : createGridGeography(config.city.width, config.city.height, config.city.statisticalUnitBlock, config.city.wardBlock);
  const n = geo.n;
  const H = config.households.count;

  // --- Neighbourhood character: centrality and old industrial districts. -----------------
  let cx = 0, cy = 0;
  for (let k = 0; k < n; k++) { cx += geo.x[k]!; cy += geo.y[k]!; }
  cx /= n; cy /= n;
  const span = Math.sqrt(n);
  const centrality = new Float64Array(n);
  const deprived = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const d2 = (geo.x[k]! - cx) ** 2 + (geo.y[k]! - cy) ** 2;
    centrality[k] = Math.exp(-d2 / (2 * (0.12 * span) ** 2));
  }
  const clusters = Math.round((config.city.deprivedClusters * n) / 1024);
  const r2 = 2 * config.city.clusterRadius ** 2;
  for (let j = 0; j < clusters; j++) {
    // Old industry sits away from the very centre (ports, mills, mines on the edge of the core).
    let k = rs.int(n);
    for (let t = 0; t < 20 && centrality[k]! > 0.3; t++) k = rs.int(n);
    for (let i = 0; i < n; i++) {
      const d2 = (geo.x[i]! - geo.x[k]!) ** 2 + (geo.y[i]! - geo.y[k]!) ** 2;
      deprived[i] = Math.max(deprived[i]!, Math.exp(-d2 / r2));
    }
  }
  for (let k = 0; k < n; k++) deprived[k] = clamp01(deprived[k]! + 0.08 * rs.normal());

  const cells = allocCells(n);
  const socialShare = Math.max(0, 1 - config.households.ownerShare - config.households.privateRenterShare);
  const socialHouseholds = Math.round(H * socialShare);
  const marketHouseholds = H - socialHouseholds;
  const marketUnits = Math.round(marketHouseholds / (1 - config.households.vacancyRate));
  const density = new Float64Array(n);
  const socialWeight = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    density[k] = 1 + 0.6 * deprived[k]! + 0.5 * centrality[k]!;
    // Council estates were built in and beside the industrial districts.
    socialWeight[k] = density[k]! * (0.04 + Math.pow(deprived[k]!, 1.5));
    cells.quality[k] = clamp01(0.72 - 0.45 * deprived[k]! + 0.07 * rs.normal());
    cells.environment[k] = clamp01(0.68 - 0.4 * deprived[k]! - 0.1 * centrality[k]! + 0.07 * rs.normal());
    cells.environmentBase[k] = cells.environment[k]!;
    cells.brownfield[k] = Math.max(0, 3 * deprived[k]! ** 2 + 0.5 * rs.normal());
    cells.crime[k] = clamp01(0.15 + 0.4 * deprived[k]!);
    cells.cohesion[k] = clamp01(0.55 - 0.15 * deprived[k]!);
  }
  plan?.character(cells, centrality, deprived);
  const socialUnits = plan ? plan.housing(socialHouseholds, marketUnits).social : apportion(socialHouseholds, socialWeight);
  const mUnits = plan ? plan.housing(socialHouseholds, marketUnits).market : apportion(marketUnits, density);
  for (let k = 0; k < n; k++) {
    cells.social[k] = socialUnits[k]!;
    cells.units[k] = socialUnits[k]! + mUnits[k]!;
  }

  // --- Households: ages, skills, children; tenure and home by status with noise. ----------
  const hh = allocHouseholds(Math.ceil(H * 1.5) + 1000);
  const hc = config.households;
  const retire = config.labour.retirementAge;
  for (let i = 0; i < H; i++) {
    const s = addHousehold(hh);
    const retired = rs.next() < hc.retiredShare;
    hh.age[s] = retired ? retire + 24 * Math.pow(rs.next(), 1.3) : 20 + (retire - 20) * rs.next();
    hh.skill[s] = clamp01(hc.meanSkill + hc.skillSd * rs.normal());
    hh.hours[s] = Math.exp(hc.hoursSd * rs.normal() - (hc.hoursSd * hc.hoursSd) / 2);
    hh.health[s] = clamp01(0.72 - 0.3 * Math.max(0, (hh.age[s]! - 45) / 50) + 0.08 * rs.normal());
  }
  // Heads aged 22–52 hold almost all dependent children.
  let young = 0;
  for (let s = 0; s < H; s++) if (hh.age[s]! >= 22 && hh.age[s]! < 52) young++;
  const pKids = young > 0 ? Math.min(1, (hc.childrenShare * H) / young) : 0;
  for (let s = 0; s < H; s++) {
    if (hh.age[s]! >= 22 && hh.age[s]! < 52 && rs.next() < pKids) {
      hh.kids[s] = 1 + (rs.next() < 0.45 ? 1 : 0) + (rs.next() < 0.15 ? 1 : 0);
      hh.kidAge[s] = Math.floor(rs.next() * Math.min(71, (hh.age[s]! - 20) * 4));
    }
  }
  // Status: skill with noise; the least well-off rent socially, the best-off and older buy.
  const status = new Float64Array(H);
  for (let s = 0; s < H; s++) status[s] = hc.sortingStrength * (hh.skill[s]! + 0.3 * Math.log(hh.hours[s]!)) + gumbelNoise(rs) * 0.5;
  const byStatus = argsort(status);
  for (let r = 0; r < H; r++) hh.tenure[byStatus[r]!] = r < socialHouseholds ? SOCIAL : PRIVATE;
  const ownerKey = new Float64Array(H).fill(-Infinity);
  for (let s = 0; s < H; s++) {
    if (hh.tenure[s] !== SOCIAL) ownerKey[s] = status[s]! + 0.04 * (hh.age[s]! - 40) + gumbelNoise(rs) * 0.5;
  }
  const byOwner = argsort(ownerKey);
  const owners = Math.round(H * hc.ownerShare);
  for (let r = 0; r < owners; r++) hh.tenure[byOwner[H - 1 - r]!] = OWNER;

  // Desirability of each cell for the initial sort (what later rents will capitalise).
  const desirability = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    desirability[k] = cells.quality[k]! + cells.environment[k]! - cells.crime[k]! + 0.2 * centrality[k]!;
  }
  // Unit lists by tenure, each unit keyed by its cell's desirability plus noise.
  const placeTenure = (isSocial: boolean, slots: Int32Array): void => {
    const unitCell: number[] = [];
    for (let k = 0; k < n; k++) for (let u = 0; u < slots[k]!; u++) unitCell.push(k);
    const members: number[] = [];
    for (let s = 0; s < H; s++) if ((hh.tenure[s] === SOCIAL) === isSocial) members.push(s);
    // Vacancies fall on the least desirable units first (with noise): empty homes cluster where demand is weak.
    const uKey = new Float64Array(unitCell.length);
    for (let u = 0; u < unitCell.length; u++) uKey[u] = desirability[unitCell[u]!]! + 0.35 * rs.normal();
    const uOrder = argsort(uKey);
    const start = uOrder.length - members.length;
    const hKey = new Float64Array(members.length);
    for (let j = 0; j < members.length; j++) hKey[j] = status[members[j]!]!;
    const hOrder = argsort(hKey);
    for (let j = 0; j < members.length; j++) {
      const s = members[hOrder[j]!]!;
      occupy(world, s, unitCell[uOrder[start + j]!]!, hh.tenure[s]!);
    }
  };

  // Schools and clinics, placed where people live.
  const nSchools = Math.max(1, Math.round((config.humanCapital.schoolsPer1000Households * H) / 1000));
  const nClinics = Math.max(1, Math.round((config.humanCapital.clinicsPer1000Households * H) / 1000));
  const res = allocResources(nSchools + nClinics);
  const popWeight = new Float64Array(n);
  for (let k = 0; k < n; k++) popWeight[k] = cells.units[k]!;
  const schoolSites = placeSites(geo, popWeight, nSchools);
  const clinicSites = placeSites(geo, popWeight, nClinics);
  for (let i = 0; i < nSchools + nClinics; i++) {
    const isSchool = i < nSchools;
    res.kind[i] = isSchool ? SCHOOL : CLINIC;
    const k = isSchool ? schoolSites[i]! : clinicSites[i - nSchools]!;
    res.cell[i] = k;
    // Schools in deprived districts start weaker (Ofsted ratings follow intake deprivation).
    const q = clamp01(0.62 - 0.25 * deprived[k]! + 0.06 * rs.normal());
    res.quality[i] = q;
    res.baseQuality[i] = isSchool ? q : clamp01(0.7 + 0.05 * rs.normal());
    if (!isSchool) res.quality[i] = res.baseQuality[i]!;
  }

  const fcfg = config.firms;
  const commute = withinRadius(geo, config.labour.commuteRadius);
  const commuteWeight = commute.dist.map((d) => Math.exp(-d / config.labour.distanceDecay));
  const demand = withinRadius(geo, fcfg.demandRadius);
  const world: World = {
    config,
    geo,
    rng,
    households: hh,
    firms: allocFirms(1),
    resources: res,
    cells,
    city: {
      tick: 0, povertyLine: 0, meansTestLine: 0, medianIncome: 0, allowanceCap: 0, meanIncome: 0, unemploymentRate: 0.06,
      jobVacancies: 0, localDemandScale: 1,
      socialRent: config.housing.socialRentShare * config.housing.baseRent,
      arrivals: 0, departures: 0, births: 0, deaths: 0, formed: 0,
    },
    moves: allocMoveLog(),
    region: { code: new Uint8Array(n), hasTarget: false, startTick: -1, originals: 0, originalsGone: 0, originalsGoneExited: 0, moveLogAt: 0,
      startPoverty: 0, ringStartPoverty: 0, baseJobsCreated: 0, baseJobs: 0, baseJobsRelocated: 0, baseHomesBuilt: 0 },
    trackers: [],
    ledger: emptyLedger(),
    commute,
    demand,
    nearby: withinRadius(geo, config.mobility.localRadius),
    commuteWeight,
    commuteCum: runningSums(commute.offset, commuteWeight),
    demandWeight: demand.dist.map((d) => Math.exp(-d / (fcfg.demandRadius / 2))),
    seekers: { list: new Int32Array(1024), reason: new Uint8Array(1024), from: new Int32Array(1024), count: 0 },
    firmIndex: { start: new Int32Array(n + 1), list: new Int32Array(0) },
    scratch: new Int32Array(hh.capacity),
    resourcesDirty: true,
  };
  if (plan) plan.place(world, status, rs);
  else {
    placeTenure(true, socialUnits);
    placeTenure(false, mUnits);
  }
  for (let s = 0; s < H; s++) {
    // Years at the address before the run (EHS medians: owners ~16, social ~12, private ~3).
    const mean = hh.tenure[s] === OWNER ? 16 : hh.tenure[s] === SOCIAL ? 12 : 3.5;
    const years = Math.min(hh.age[s]! - 18, -mean * Math.log(1 - rs.next()));
    hh.movedTick[s] = -Math.round(Math.max(0, years) * 4);
    hh.ties[s] = 1 - Math.exp(-Math.max(0, years) / 6);
  }
  assignCatchments(world);

  // --- Firms: tradable ones where floorspace is, local services where people are. ---------
  let labourForce = 0;
  for (let s = 0; s < H; s++) if (hh.age[s]! < retire) labourForce++;
  const totalJobs = Math.round(fcfg.jobsPerWorker * labourForce);
  const nFirms = Math.max(1, Math.round(totalJobs / fcfg.meanSize));
  (world as { firms: World['firms'] }).firms = allocFirms(nFirms * 3 + 100);
  const floorWeight = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    floorWeight[k] = 0.4 + config.city.centreFloorspace * centrality[k]! ** 1.5 + 0.8 * deprived[k]!;
  }
  const cumulative = (wts: Float64Array): Float64Array => {
    const c = new Float64Array(wts.length);
    let s = 0;
    for (let i = 0; i < wts.length; i++) c[i] = s += wts[i]!;
    return c;
  };
  const floorCum = cumulative(floorWeight);
  const popCum = cumulative(popWeight);
  const pick = (cum: Float64Array): number => {
    const u = rs.next() * cum[cum.length - 1]!;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const f = world.firms;
  const used = new Float64Array(n);
  for (let j = 0; j < nFirms; j++) {
    const i = addFirm(f);
    f.sector[i] = rs.next() < fcfg.tradableShare ? 1 : 0;
    // Firm sizes are skewed: exponential around the mean.
    initFirmJobs(world, i, Math.max(1, Math.round(-fcfg.meanSize * Math.log(1 - rs.next()))), rs);
    f.cell[i] = pick(f.sector[i] === 1 ? floorCum : popCum);
    f.bornTick[i] = -Math.round(40 * rs.next());
    used[f.cell[i]!]! += f.floorspace[i]!;
  }
  // Commercial floorspace: what firms use now, plus room to grow (more in the centre and old industry).
  let totalFloor = 0;
  for (let k = 0; k < n; k++) totalFloor += used[k]!;
  let wsum = 0;
  for (let k = 0; k < n; k++) wsum += floorWeight[k]!;
  for (let k = 0; k < n; k++) {
    cells.floorUsed[k] = used[k]!;
    cells.floorspace[k] = used[k]! + (0.2 * totalFloor * floorWeight[k]!) / wsum;
  }

  // --- Initial job matching, incomes, poverty, rents. -------------------------------------
  indexFirmsByCell(world);
  const order = new Int32Array(H);
  for (let i = 0; i < H; i++) order[i] = i;
  shuffle(order, H, rs);
  // Nobody has a job yet: a working-age head in health below the onset line starts sick (the
  // labour step's rule, sim/subsystems/labour.ts), and the sick do not search.
  for (let s = 0; s < H; s++) if (hh.age[s]! < retire && hh.health[s]! < config.labour.sickThreshold) hh.sick[s] = 1;
  // Several rounds of search stand in for the years of matching before the run starts.
  for (let round = 0; round < 6; round++) {
    for (let r = 0; r < H; r++) {
      const s = order[r]!;
      if (hh.age[s]! < retire && hh.employer[s]! < 0 && !hh.sick[s]) searchJob(world, s, config.labour.searchContacts * 3, rs);
    }
  }
  for (let s = 0; s < H; s++) {
    if (hh.employer[s]! < 0 && hh.age[s]! < retire) hh.unempQuarters[s] = Math.floor(8 * rs.next());
    hh.lifeEvent[s] = 0;
  }
  const fl = world.firms;
  for (let i = 0; i < fl.count; i++) fl.skillSum[i] = 0;
  for (let s = 0; s < H; s++) if (hh.employer[s]! >= 0) fl.skillSum[hh.employer[s]!]! += hh.skill[s]!;
  updateIncomes(world);
  updatePovertyLine(world);
  updatePoverty(world);
  census(world);
  // A first count of every school's and clinic's users (the catchments are drawn already).
  world.resourcesDirty = true;
  updateResources(world);
  // School and clinic capacity: what their catchments use now, with headroom.
  for (let i = 0; i < res.count; i++) {
    const users = Math.max(1, res.users[i]!);
    res.capacity[i] = users * (res.kind[i] === SCHOOL ? config.humanCapital.schoolCapacity : config.humanCapital.clinicCapacity);
  }
  updateResources(world);
  updateAccess(world);
  // Rents start at their amenity-capitalised level, scaled so that the average unit pays the base rent.
  let lsum = 0;
  let units = 0;
  for (let k = 0; k < n; k++) {
    cells.rent[k] = Math.exp(amenityLogRent(world, k));
    lsum += cells.rent[k]! * cells.units[k]!;
    units += cells.units[k]!;
  }
  const scale = units > 0 ? (config.housing.baseRent * units) / lsum : 1;
  for (let k = 0; k < n; k++) cells.rent[k]! *= scale;
  updateAllowanceCap(world);
  updateAllowances(world);
  updatePovertyLine(world);
  updatePoverty(world);
  plan?.calibrate(world);
  // Children's attainment starts at the level their school and family sustain.
  for (let s = 0; s < H; s++) {
    if (hh.kids[s]! > 0) {
      const k = hh.cell[s]!;
      // Younger children are still on their way from the starting level (0.3) to the target.
      const quartersInSchool = Math.max(0, hh.kidAge[s]! - 16);
      const reached = 1 - Math.pow(1 - config.humanCapital.attainmentRate, quartersInSchool);
      hh.attainment[s] = 0.3 + reached * (clamp01(0.1 + config.humanCapital.schoolEffect * cells.schoolQuality[k]! + config.humanCapital.parentEffect * hh.skill[s]! + config.humanCapital.supportEffect * (hh.poor[s] ? 0 : 0.5)) - 0.3);
    }
  }
  census(world);
  firms.init(world);
  // The employment domain's four-quarter history starts as the city at creation.
  startEmploymentQuarters(world);
  // Every world a run steps then has stores of one hidden class: this one, and the copies that runs
  // sharing a spin-up start from (cloneWorld keeps its original's). Object literals and structured
  // clones have different hidden classes, so stepping both would make V8 throw its optimised code
  // away when the first copy arrives and keep every subsystem polymorphic; an exact copy changes
  // nothing else.
  return restructured(world);
}

/** Running sums of weights within each compressed list (restarting at every offset). */
function runningSums(offset: Int32Array, weight: Float32Array): Float64Array {
  const out = new Float64Array(weight.length);
  for (let i = 0; i + 1 < offset.length; i++) {
    let s = 0;
    for (let e = offset[i]!; e < offset[i + 1]!; e++) out[e] = s += weight[e]!;
  }
  return out;
}

function gumbelNoise(rs: Stream): number {
  return -Math.log(-Math.log(rs.next() * (1 - 2e-12) + 1e-12));
}
