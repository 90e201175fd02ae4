/**
 * The levers a policy may pull, each with its unit cost, and the ledger entries it makes.
 * Policies are combinations of these; no lever reads a policy's kind, and none writes a metric:
 * outcomes follow from the subsystems' response.
 *
 * Unit costs (2019 prices, rounded; sources in docs/ODD.md §7):
 * - public realm: £400 per resident household for +0.1 environment (HCA/DCLG public realm
 *   schemes cost ~£100–£300 per m² over streets and green space);
 * - refurbishment: £20,000 a home (Decent Homes programme average ~£12k–£25k);
 * - commercial floorspace: £1,500 per m² to build; public gap funding pays 30% (the rest is
 *   private investment leveraged), and 25% at the most pressure to show leverage;
 * - brownfield: £300,000 an acre to remediate (HCA land remediation benchmarks £0.1m–£0.5m);
 *   an acre carries 1,600 m² of floorspace or 15 homes;
 * - new homes: £150,000 each, public subsidy 30%;
 * - area programmes and people-based training/support: £1,500 per participating household a year.
 */
import { isNewcomer } from '../subsystems/firms.ts';
import type { World } from '../world.ts';

export const COSTS = {
  environmentPerHousehold: 400,
  refurbishPerHome: 20_000,
  floorspacePerM2: 1_500,
  gapShare: 0.3,
  gapShareUnderPressure: 0.25,
  brownfieldPerAcre: 300_000,
  floorspacePerAcre: 1_600,
  homesPerAcre: 15,
  homeCost: 150_000,
  homeSubsidy: 0.3,
  programmePerHousehold: 1_500,
} as const;

/**
 * Public realm works: `amount` pounds spread over the cells of `mask` in proportion to their
 * residents (weighted by `weight` when given); raises environment and its maintained level.
 */
export function improveEnvironment(w: World, mask: ArrayLike<number>, amount: number, weight?: ArrayLike<number>): number {
  const c = w.cells;
  let total = 0;
  for (let k = 0; k < c.n; k++) if (mask[k]) total += c.households[k]! * (weight ? weight[k]! : 1);
  if (total <= 0 || amount <= 0) return 0;
  for (let k = 0; k < c.n; k++) {
    if (!mask[k]) continue;
    const share = (c.households[k]! * (weight ? weight[k]! : 1)) / total;
    const money = amount * share;
    const gain = (0.1 * money) / (COSTS.environmentPerHousehold * Math.max(1, c.households[k]!));
    // Diminishing returns: each pound closes part of the gap to a perfect public realm.
    const up = (1 - c.environmentBase[k]!) * (1 - Math.exp(-gain / Math.max(0.05, 1 - c.environmentBase[k]!)));
    c.environmentBase[k] = Math.min(1, c.environmentBase[k]! + up);
    c.environment[k] = Math.min(1, c.environment[k]! + up);
  }
  w.ledger.physical += amount;
  w.ledger.publicInvestment += amount;
  return amount;
}

/** Refurbishes homes in the worst-quality cells of the mask first; returns the money spent. */
export function refurbish(w: World, mask: ArrayLike<number>, amount: number): number {
  const c = w.cells;
  let homes = Math.floor(amount / COSTS.refurbishPerHome);
  if (homes <= 0) return 0;
  const order: number[] = [];
  for (let k = 0; k < c.n; k++) if (mask[k] && c.units[k]! > 0) order.push(k);
  order.sort((a, b) => c.quality[a]! - c.quality[b]! || a - b);
  let done = 0;
  for (const k of order) {
    if (homes <= 0) break;
    // A tenth of a cell's stock at a time, so that works spread over the worst cells.
    const take = Math.min(homes, Math.max(1, Math.round(c.units[k]! * 0.1)));
    c.quality[k] = c.quality[k]! + (0.85 - c.quality[k]!) * Math.max(0, take / c.units[k]!);
    homes -= take;
    done += take;
  }
  const spent = done * COSTS.refurbishPerHome;
  w.ledger.homesRefurbished += done;
  w.ledger.physical += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

/** Cells of the mask with the most brownfield first (ties by index). */
function byBrownfield(w: World, mask: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let k = 0; k < w.cells.n; k++) if (mask[k]) out.push(k);
  return out.sort((a, b) => w.cells.brownfield[b]! - w.cells.brownfield[a]! || a - b);
}

/**
 * Gap-funds commercial floorspace: public `amount` pays `gapShare` of the build cost, private
 * investors the rest. Built on brownfield where there is some (remediated at its cost, counted as
 * brownfield developed). Returns the money spent.
 */
export function buildFloorspace(w: World, mask: ArrayLike<number>, amount: number, pressure = 0): number {
  if (amount <= 0) return 0;
  const c = w.cells;
  const gap = COSTS.gapShare + (COSTS.gapShareUnderPressure - COSTS.gapShare) * pressure;
  const cells = byBrownfield(w, mask);
  if (cells.length === 0) return 0;
  let left = amount;
  for (const k of cells) {
    if (left <= 0) break;
    // Remediate the site first when it is brownfield.
    let acres = 0;
    if (c.brownfield[k]! > 0.05) {
      acres = Math.min(c.brownfield[k]!, left / (COSTS.brownfieldPerAcre + (COSTS.floorspacePerAcre * COSTS.floorspacePerM2 * gap)));
      c.brownfield[k]! -= acres;
      w.ledger.brownfield += acres;
      left -= acres * COSTS.brownfieldPerAcre;
    }
    const m2 = acres > 0 ? acres * COSTS.floorspacePerAcre : left / (COSTS.floorspacePerM2 * gap);
    const publicPart = m2 * COSTS.floorspacePerM2 * gap;
    c.floorspace[k]! += m2;
    w.ledger.floorspace += m2;
    w.ledger.privateInvestment += m2 * COSTS.floorspacePerM2 * (1 - gap);
    left -= publicPart;
    if (acres === 0) break;
  }
  const spent = amount - Math.max(0, left);
  w.ledger.physical += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

/**
 * Subsidises new homes (market tenure, quality 0.85) in the cells of the mask with the most
 * brownfield; they join the construction pipeline and count as built when complete.
 */
export function buildHomes(w: World, mask: ArrayLike<number>, amount: number): number {
  const c = w.cells;
  let homes = Math.floor(amount / (COSTS.homeCost * COSTS.homeSubsidy));
  if (homes <= 0) return 0;
  const cells = byBrownfield(w, mask);
  if (cells.length === 0) return 0;
  let built = 0;
  for (const k of cells) {
    if (homes <= 0) break;
    const acres = Math.min(c.brownfield[k]!, homes / COSTS.homesPerAcre);
    // Without brownfield, infill: at most a tenth more homes in a cell per order.
    const add = acres > 0 ? Math.round(acres * COSTS.homesPerAcre) : Math.min(homes, Math.max(1, Math.round(0.1 * c.units[k]!)));
    if (add <= 0) continue;
    c.brownfield[k]! -= acres;
    w.ledger.brownfield += acres;
    const quality = 0.85;
    c.buildingQuality[k] = c.building[k]! > 0 ? (c.buildingQuality[k]! * c.building[k]! + quality * add) / (c.building[k]! + add) : quality;
    c.building[k]! += add;
    c.buildingDone[k] = w.city.tick + w.config.housing.constructionQuarters;
    homes -= add;
    built += add;
  }
  const spent = built * COSTS.homeCost * COSTS.homeSubsidy;
  w.ledger.privateInvestment += built * COSTS.homeCost * (1 - COSTS.homeSubsidy);
  w.ledger.physical += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

/**
 * Firm incentive: pays `share` of the commercial rent of the firms that start up in or move into
 * the mask's cells after the programme starts (the firms subsystem applies it to them only).
 * Returns this quarter's cost.
 */
export function setFirmIncentive(w: World, mask: ArrayLike<number>, share: number): number {
  const c = w.cells;
  for (let k = 0; k < c.n; k++) c.subsidy[k] = mask[k] ? share : 0;
  const cost = share * incentiveBill(w, mask);
  // Incentives are place spending: they go to sites, not to people.
  w.ledger.physical += cost;
  w.ledger.publicInvestment += cost;
  return cost;
}

/** Commercial rent of the mask's newcomer firms this quarter: what a full incentive would pay. */
export function incentiveBill(w: World, mask: ArrayLike<number>): number {
  const f = w.firms;
  let bill = 0;
  for (let i = 0; i < f.count; i++) {
    const k = f.cell[i]!;
    if (!f.alive[i] || !mask[k] || !isNewcomer(w, i)) continue;
    bill += (w.config.firms.commercialRentFactor * w.cells.rent[k]! * f.floorspace[i]!) / 4;
  }
  return bill;
}

/**
 * Area programmes (training, family support) for households living in the mask now: intensity
 * is what `amount` buys at £1,500 a participant a year. Households outside the mask lose them —
 * the programme is tied to the place, not to the person.
 */
export function areaProgrammes(w: World, mask: ArrayLike<number>, amount: number): number {
  const participants = countParticipants(w, mask);
  const intensity = participants > 0 ? Math.min(1, (amount * 4) / (participants * COSTS.programmePerHousehold)) : 0;
  const spent = enrol(w, mask, intensity);
  w.ledger.people += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

// The two passes of areaProgrammes, each a function with nothing after its loop: run once a
// quarter, V8 would otherwise throw away the code it optimised mid-loop at every call (sim/census.ts).

/** Households in the mask with a working-age adult or children. */
function countParticipants(w: World, mask: ArrayLike<number>): number {
  const h = w.households;
  const retire = w.config.labour.retirementAge;
  let participants = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k >= 0 && mask[k] && (h.age[s]! < retire || h.kids[s]! > 0)) participants++;
  }
  return participants;
}

/** Sets every household's area training and family support; returns the quarter's cost. */
function enrol(w: World, mask: ArrayLike<number>, intensity: number): number {
  const h = w.households;
  const retire = w.config.labour.retirementAge;
  let spent = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    const inside = k >= 0 && mask[k] && (h.age[s]! < retire || h.kids[s]! > 0);
    h.training[s] = inside && h.age[s]! < retire ? 0.5 * intensity : 0;
    h.support[s] = inside && h.kids[s]! > 0 ? 0.5 * intensity : 0;
    if (inside) spent += (intensity * COSTS.programmePerHousehold) / 4;
  }
  return spent;
}

/** Ends programmes and incentives tied to places (when a policy stops). */
export function clearPlaceLevers(w: World): void {
  const h = w.households;
  for (let s = 0; s < h.count; s++) {
    h.training[s] = 0;
    h.support[s] = 0;
    h.areaBenefit[s] = 0;
  }
  w.cells.subsidy.fill(0);
  w.cells.community.fill(0);
  w.cells.tenureSecurity.fill(0);
}

/** Means-tested eligibility: income before housing support under `multiple` × the means-test line. */
export function eligible(w: World, s: number, multiple: number): boolean {
  const h = w.households;
  return h.alive[s] === 1 && h.cell[s]! >= 0 && h.income[s]! - h.allowance[s]! - h.transfer[s]! < multiple * w.city.meansTestLine;
}


/**
 * Clearance unit costs (2019 prices, rounded).
 * - demolition: £25,000 a home, covering the decant as well as the demolition: the home-loss
 *   payment to each displaced household (£6,400 for a tenant from October 2019, Home Loss
 *   Payments (Prescribed Amounts) (England) Regulations 2019), disturbance and removal costs,
 *   rehousing and empty-property costs while a block is emptied, and demolition and site
 *   clearance — the decant and demolition items of an estate-renewal viability appraisal (Centre
 *   for London, *Another Storey*, 2016, ch. 4). For scale: the Housing Market Renewal pathfinders
 *   (2002–2011) demolished nearly 20,000 homes at a public cost of almost £2bn, with
 *   refurbishment and some new building in the same budget.
 * - rebuild: private developers build on the cleared land; the public side pays land assembly
 *   (acquiring owners' and landlords' interests) and the viability gap, `COSTS.homeSubsidy` of
 *   `COSTS.homeCost` a home, as in `buildHomes`; developers put in the rest.
 */
export const CLEARANCE_COSTS = {
  demolitionPerUnit: 25_000,
} as const;

/** Public cost of clearing one home and rebuilding one in its place. */
export function clearanceCostPerUnit(): number {
  return CLEARANCE_COSTS.demolitionPerUnit + COSTS.homeCost * COSTS.homeSubsidy;
}

/** Options of a clearance order. */
export interface ClearanceOptions {
  /** Quality of the rebuilt homes (new-build market housing). Default 0.9. */
  quality?: number;
  /** Share of the rebuilt homes let at social rent. Default 0.1. */
  socialShare?: number;
}

/**
 * Comprehensive redevelopment: orders the demolition of homes in the cells of the mask, as many
 * as `amount` pays for at `clearanceCostPerUnit()` each, and their rebuild by private developers,
 * home for home (quality and social share set by `opts`). The housing step clears the residents
 * (forced moves; social tenants are decanted with a right to a social home anywhere in the city)
 * and completes the rebuild `housing.constructionQuarters` after the last phase ordered in a cell,
 * when it counts as homes built. Only housing worse than the rebuild is cleared, never in a cell
 * with an order pending this quarter.
 *
 * A neighbourhood is redeveloped whole, in phases, as clearance schemes were (comprehensive
 * development areas, estate by estate): the money goes first to the old homes still standing in
 * cells already under redevelopment, then to the lowest-quality cells. Spread a few homes at a
 * time over many cells instead, the new homes stood among the old and let at the old
 * neighbourhood's one rent (a cell has one), below the housing allowance's cap: they drew the
 * same tenants as the homes they replaced (docs/ODD.md §7).
 * Returns the money spent (whole homes only).
 */
export function clearAndRebuild(w: World, mask: ArrayLike<number>, amount: number, opts: ClearanceOptions = {}): number {
  const c = w.cells;
  const quality = opts.quality ?? 0.9;
  const socialShare = opts.socialShare ?? 0.1;
  const perUnit = clearanceCostPerUnit();
  let units = Math.floor(amount / perUnit);
  if (units <= 0) return 0;
  const order: number[] = [];
  for (let k = 0; k < c.n; k++) {
    if (mask[k] && c.units[k]! > 0 && c.demolish[k]! === 0 && c.quality[k]! < quality) order.push(k);
  }
  // A scheme finishes the neighbourhood it has started before it starts another: cells under
  // redevelopment first (their old homes that still stand), then the worst housing.
  const started = (k: number) => (c.building[k]! > 0 ? 0 : 1);
  order.sort((a, b) => started(a) - started(b) || c.quality[a]! - c.quality[b]! || a - b);
  let cleared = 0;
  for (const k of order) {
    if (units <= 0) break;
    const take = Math.min(units, c.units[k]!);
    c.demolish[k] = take;
    c.rebuildUnits[k] = take;
    c.rebuildQuality[k] = quality;
    c.rebuildSocial[k] = Math.round(take * socialShare);
    units -= take;
    cleared += take;
  }
  const spent = cleared * perUnit;
  w.ledger.privateInvestment += cleared * COSTS.homeCost * (1 - COSTS.homeSubsidy);
  w.ledger.physical += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

/**
 * Adults a training programme is for: working age and out of work or below the mean adult skill
 * at the start (0.5: below an A-level equivalent, as about half of English adults are — Census
 * 2011, highest qualification below level 3).
 */
export const LOW_SKILL = 0.5;

/** Working-age adult who is out of work or low-skilled. */
export function trainable(w: World, s: number): boolean {
  const h = w.households;
  return h.age[s]! < w.config.labour.retirementAge && (h.employer[s]! < 0 || h.skill[s]! < LOW_SKILL);
}

/**
 * Clears this quarter's training and family support before programmes set them again, so that a
 * household that no longer qualifies (or moved out of a catchment) loses them. Programmes that
 * run together then add their intensities (capped at 1).
 */
export function resetProgrammes(w: World): void {
  w.households.training.fill(0);
  w.households.support.fill(0);
}

export interface PortableOptions {
  /** Yearly transfer to each eligible household at full funding (pounds). */
  transfer: number;
  /** Training intensity for eligible trainable adults at full funding (0..1). */
  training: number;
  /** Eligible below this multiple of the means-test line. */
  eligibility: number;
  /** Only original residents of the target (households.startCell ≥ 0), wherever they live now. */
  originalsOnly?: boolean;
}

/**
 * Means-tested, portable support: it follows the household wherever it lives. Every eligible
 * household gets a transfer, and its trainable adult training; a budget smaller than the full
 * cost scales both by the same factor, so that spending matches the budget. Full cost: the
 * transfer, plus £1,500 a participant a year for the programme (as area programmes cost).
 * Households that are not eligible get no transfer; training is added to what other programmes
 * gave this quarter. Returns the money spent.
 */
export function portableSupport(w: World, amount: number, opts: PortableOptions): number {
  const h = w.households;
  const yes = w.scratch;
  let recipients = 0;
  let participants = 0;
  for (let s = 0; s < h.count; s++) {
    const ok = eligible(w, s, opts.eligibility) && (!opts.originalsOnly || h.startCell[s]! >= 0);
    if (!ok) continue;
    yes[recipients++] = s;
    if (opts.training > 0 && trainable(w, s)) participants++;
  }
  const full = (recipients * opts.transfer + participants * COSTS.programmePerHousehold) / 4;
  const scale = full > 0 && amount > 0 ? Math.min(1, amount / full) : 0;
  h.transfer.fill(0, 0, h.count);
  const transfer = opts.transfer * scale;
  const training = opts.training * scale;
  for (let i = 0; i < recipients; i++) {
    const s = yes[i]!;
    h.transfer[s] = transfer;
    if (opts.training > 0 && trainable(w, s)) h.training[s] = Math.min(1, h.training[s]! + training);
  }
  const spent = full * scale;
  w.ledger.people += spent;
  w.ledger.publicInvestment += spent;
  return spent;
}

/** Ends portable transfers (the programme closed). */
export function endTransfers(w: World): void {
  w.households.transfer.fill(0);
}

/**
 * School quality bought per pound per pupil household. Evidence on school spending: $1,000 more
 * per pupil a year for four years raises test scores by about 0.03 SD (Jackson & Mackevicius
 * 2024, AEJ: Applied, a meta-analysis). Here £1,000 a pupil household a year (about 1.7 pupils)
 * builds investment by 1 − 0.975¹⁶ ≈ a third of its +0.02 steady state in four years (2.5%
 * quarterly decay, humanCapital.ts); with attainment's weight on school quality (0.45) and its
 * speed (6% a quarter), that is about +0.002 attainment, ≈ 0.025 SD of the default city's pupils'
 * attainment (SD ≈ 0.08).
 */
export const QUALITY_PER_POUND_PER_PUPIL = 2e-6;
/** Most a school's quality can be raised by investment: extra money for exam results runs into diminishing returns. */
export const SCHOOL_INVESTMENT_CAP = 0.15;

/**
 * Money a school spends on its own performance targets (exam results): raises its quality through
 * `resources.investment`, up to the cap. The money is spent whether or not the cap binds. Returns
 * the money spent.
 */
export function schoolInvestment(w: World, school: number, amount: number): number {
  if (school < 0 || amount <= 0) return 0;
  const r = w.resources;
  const pupils = Math.max(1, r.users[school]!);
  r.investment[school] = Math.min(SCHOOL_INVESTMENT_CAP, r.investment[school]! + (QUALITY_PER_POUND_PER_PUPIL * amount) / pupils);
  w.ledger.people += amount;
  w.ledger.publicInvestment += amount;
  return amount;
}

/**
 * Yearly cost of one partner employer in a hub's pipeline: work placements, mentoring, information
 * sessions and a share of a coordinator's time. An assumption, not a calibrated figure: an
 * employer-engagement coordinator (about £35,000 a year with on-costs) looking after a few
 * employers, plus placement costs.
 */
export const PARTNER_COST = 25_000;
/**
 * Yearly cost per resident household of full community activity (cells.community = 1): a
 * community development worker (about £35,000 a year) for some 300 households plus events and
 * small grants. An assumption, not a calibrated figure.
 */
export const COMMUNITY_COST = 150;
/** Partner firms may sit this far (cells) beyond the catchment: employers just outside it hire its graduates too. */
export const PARTNER_REACH = 2;

export interface HubOptions {
  /** Spending shares of the four programmes (normalised). */
  adultEducation: number;
  familySupport: number;
  employerPipeline: number;
  community: number;
  /** Share of all hub money the school's own performance targets absorb (into exam results). */
  friction: number;
  /** Strength (0..1) of the parts that need other departments: the employer pipeline and community activity. */
  coverage: number;
}

/** The school a hub is built on: the boundary's resource, else the school serving most of the target's households. */
export function hubSchool(w: World, target: ArrayLike<number>, resource: number): number {
  if (resource >= 0) return resource;
  const votes = new Float64Array(w.resources.count);
  for (let k = 0; k < w.cells.n; k++) if (target[k] && w.cells.school[k]! >= 0) votes[w.cells.school[k]!]! += w.cells.households[k]!;
  let best = -1;
  for (let i = 0; i < votes.length; i++) if (votes[i]! > 0 && (best < 0 || votes[i]! > votes[best]!)) best = i;
  return best;
}

const reachCache = new WeakMap<ArrayLike<number>, Uint8Array>();

/** Cells within PARTNER_REACH of a target cell (the target included), computed once per target. */
function partnerReach(w: World, target: ArrayLike<number>): Uint8Array {
  let out = reachCache.get(target);
  if (out) return out;
  const { x, y, n } = w.geo;
  out = new Uint8Array(n);
  const inside: number[] = [];
  for (let k = 0; k < n; k++) if (target[k]) inside.push(k);
  const r2 = PARTNER_REACH * PARTNER_REACH + 1e-9;
  for (let k = 0; k < n; k++) {
    for (const t of inside) {
      const dx = x[k]! - x[t]!;
      const dy = y[k]! - y[t]!;
      if (dx * dx + dy * dy <= r2) {
        out[k] = 1;
        break;
      }
    }
  }
  reachCache.set(target, out);
  return out;
}

/**
 * A hub's programmes for one quarter (the Weston case, STUDY.md): `amount` pounds, of which the
 * share `friction` is absorbed by the school's own performance targets (school investment) and the
 * rest split among
 * - adult education: training for trainable adults in the catchment, at a level the money per
 *   participant buys (£1,500 a year buys 0.5, as area programmes; at most 1), times the cell's
 *   catchment weight; participants become graduates of the hub;
 * - family support: support for families with children in the catchment, priced the same way,
 *   times the weight;
 * - employer pipeline: firms in or near the catchment become partners, largest first, as many as
 *   the money buys at PARTNER_COST × coverage;
 * - community activity: cells.community = the activity the money buys at COMMUNITY_COST a
 *   household × coverage × weight.
 * A programme that cannot use its money (every participant at the most intensity, every firm a
 * partner) passes the rest to the others in proportion to their shares. All hub money is people
 * spending. Trainable adults, families and households are counted weighted by catchment weight.
 * Returns the money spent.
 */
export function hubProgrammes(w: World, target: ArrayLike<number>, weight: ArrayLike<number>, resource: number, amount: number, opts: HubOptions): number {
  if (amount <= 0) return 0;
  const c = w.cells;
  const f = w.firms;
  const friction = Math.min(1, Math.max(0, opts.friction));
  const coverage = Math.min(1, Math.max(0, opts.coverage));
  let spent = schoolInvestment(w, hubSchool(w, target, resource), amount * friction);
  const money = amount * (1 - friction);

  // Who each programme can reach, weighted by catchment weight.
  const reached = weightedParticipants(w, target, weight, REACHED.fill(0));
  const learners = reached[0]!;
  const families = reached[1]!;
  let residents = 0;
  for (let k = 0; k < c.n; k++) if (target[k]) residents += c.households[k]! * weight[k]!;
  const reach = partnerReach(w, target);
  const firms: number[] = [];
  for (let i = 0; i < f.count; i++) if (f.alive[i] && reach[f.cell[i]!]) firms.push(i);

  // Quarterly money each programme can use at most; the pipeline's money still goes when coverage
  // is low (it is the effect that shrinks), so its limit is the firms it can sign up.
  const ceiling = [
    (learners * 2 * COSTS.programmePerHousehold) / 4,
    (families * 2 * COSTS.programmePerHousehold) / 4,
    (firms.length * PARTNER_COST) / 4,
    (residents * COMMUNITY_COST) / 4,
  ];
  const share = [opts.adultEducation, opts.familySupport, opts.employerPipeline, opts.community].map((x) => Math.max(0, x));
  const alloc = [0, 0, 0, 0];
  // Water-filling: split what is left by share among programmes below their ceiling.
  let left = money;
  for (let round = 0; round < 4 && left > 1e-6; round++) {
    let open = 0;
    for (let p = 0; p < 4; p++) if (alloc[p]! < ceiling[p]! - 1e-9) open += share[p]!;
    if (open <= 0) break;
    let given = 0;
    for (let p = 0; p < 4; p++) {
      if (alloc[p]! >= ceiling[p]! - 1e-9) continue;
      const add = Math.min(ceiling[p]! - alloc[p]!, (left * share[p]!) / open);
      alloc[p]! += add;
      given += add;
    }
    left -= given;
  }

  // Adult education and family support: level = 0.5 × (yearly money per weighted participant) / £1,500.
  const learnLevel = learners > 0 ? Math.min(1, (0.5 * alloc[0]! * 4) / (learners * COSTS.programmePerHousehold)) : 0;
  const supportLevel = families > 0 ? Math.min(1, (0.5 * alloc[1]! * 4) / (families * COSTS.programmePerHousehold)) : 0;
  applyHubLevels(w, target, weight, learnLevel, supportLevel);

  // Employer pipeline: the largest firms first (ties by slot).
  f.partner.fill(0, 0, f.count);
  const partners = Math.min(firms.length, Math.floor((alloc[2]! * 4 * coverage) / PARTNER_COST + 1e-9));
  firms.sort((a, b) => f.jobs[b]! - f.jobs[a]! || a - b);
  for (let i = 0; i < partners; i++) f.partner[firms[i]!] = 1;

  // Community activity in the catchment.
  const activity = residents > 0 ? (alloc[3]! * 4 * coverage) / (residents * COMMUNITY_COST) : 0;
  for (let k = 0; k < c.n; k++) c.community[k] = target[k] ? Math.min(1, activity * weight[k]!) : 0;

  const programmes = alloc[0]! + alloc[1]! + alloc[2]! + alloc[3]!;
  w.ledger.people += programmes;
  w.ledger.publicInvestment += programmes;
  spent += programmes;
  return spent;
}

/*
 * hubProgrammes' passes over the households, each a loop in a function of its own with nothing
 * after it but its return: they run every quarter, V8 optimises a loop while it runs (on-stack
 * replacement), and the code after a loop, which had no type feedback when that code was
 * compiled, threw it away every quarter when the passes shared hubProgrammes' body.
 */

/** The weighted learners and families `weightedParticipants` sums into (one hub steps at a time). */
const REACHED = new Float64Array(2);

/**
 * The trainable adults (into reached[0]) and the families with children (reached[1]) in the
 * catchment, weighted by catchment weight; returns `reached`. The sums are kept in the array so
 * that nothing follows the loop.
 */
function weightedParticipants(w: World, target: ArrayLike<number>, weight: ArrayLike<number>, reached: Float64Array): Float64Array {
  const h = w.households;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k < 0 || !target[k]) continue;
    const wt = weight[k]!;
    if (trainable(w, s)) reached[0]! += wt;
    if (h.kids[s]! > 0) reached[1]! += wt;
  }
  return reached;
}

/** Adult education and family support at the levels the money buys, times the catchment weight. */
function applyHubLevels(w: World, target: ArrayLike<number>, weight: ArrayLike<number>, learnLevel: number, supportLevel: number): void {
  const h = w.households;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k < 0 || !target[k]) continue;
    const wt = weight[k]!;
    if (learnLevel > 0 && wt > 0 && trainable(w, s)) {
      h.training[s] = Math.min(1, h.training[s]! + learnLevel * wt);
      h.graduate[s] = 1;
    }
    if (supportLevel > 0 && h.kids[s]! > 0) h.support[s] = Math.min(1, h.support[s]! + supportLevel * wt);
  }
}

/** Ends a hub's employer pipeline: partner firms stop favouring its graduates. */
export function endPipeline(w: World): void {
  w.firms.partner.fill(0);
}

/** Protection of sitting tenants from rent-forced moves: `level` in the mask's cells, none elsewhere. */
export function setTenureSecurity(w: World, mask: ArrayLike<number>, level: number): void {
  const c = w.cells;
  for (let k = 0; k < c.n; k++) c.tenureSecurity[k] = mask[k] ? level : 0;
}
