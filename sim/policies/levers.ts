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
 * Firm incentive: pays `share` of the commercial rent of firms in the mask's cells. Returns this
 * quarter's cost (the subsidy applies from the next firms step).
 */
export function setFirmIncentive(w: World, mask: ArrayLike<number>, share: number): number {
  const c = w.cells;
  let cost = 0;
  for (let k = 0; k < c.n; k++) {
    c.subsidy[k] = mask[k] ? share : 0;
    if (mask[k]) cost += (share * w.config.firms.commercialRentFactor * c.rent[k]! * c.floorUsed[k]!) / 4;
  }
  // Incentives are place spending: they go to sites, not to people.
  w.ledger.physical += cost;
  w.ledger.publicInvestment += cost;
  return cost;
}

/** Commercial rent a full incentive would pay this quarter in the mask (to size the share). */
export function incentiveBill(w: World, mask: ArrayLike<number>): number {
  const c = w.cells;
  let bill = 0;
  for (let k = 0; k < c.n; k++) if (mask[k]) bill += (w.config.firms.commercialRentFactor * c.rent[k]! * c.floorUsed[k]!) / 4;
  return bill;
}

/**
 * Area programmes (training, family support) for households living in the mask now: intensity
 * is what `amount` buys at £1,500 a participant a year. Households outside the mask lose them —
 * the programme is tied to the place, not to the person.
 */
export function areaProgrammes(w: World, mask: ArrayLike<number>, amount: number): number {
  const h = w.households;
  const retire = w.config.labour.retirementAge;
  let participants = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k >= 0 && mask[k] && (h.age[s]! < retire || h.kids[s]! > 0)) participants++;
  }
  const intensity = participants > 0 ? Math.min(1, (amount * 4) / (participants * COSTS.programmePerHousehold)) : 0;
  let spent = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    const inside = k >= 0 && mask[k] && (h.age[s]! < retire || h.kids[s]! > 0);
    h.training[s] = inside && h.age[s]! < retire ? 0.5 * intensity : 0;
    h.support[s] = inside && h.kids[s]! > 0 ? 0.5 * intensity : 0;
    if (inside) spent += (intensity * COSTS.programmePerHousehold) / 4;
  }
  w.ledger.people += spent;
  w.ledger.publicInvestment += spent;
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
 * Comprehensive redevelopment: orders the demolition of homes in the lowest-quality cells of the
 * mask first, as many as `amount` pays for at `clearanceCostPerUnit()` each, and their rebuild by
 * private developers, home for home (quality and social share set by `opts`). The housing step clears
 * the residents (forced moves; social tenants are decanted with a right to a social home anywhere
 * in the city) and completes the rebuild after `housing.constructionQuarters`, when it counts as
 * homes built. Only housing worse than the rebuild is cleared, and never a cell already under
 * construction or with an order pending: a second order would reset the first one's completion.
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
    if (mask[k] && c.units[k]! > 0 && c.building[k]! === 0 && c.demolish[k]! === 0 && c.quality[k]! < quality) order.push(k);
  }
  order.sort((a, b) => c.quality[a]! - c.quality[b]! || a - b);
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
