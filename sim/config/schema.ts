/**
 * The scenario schema: the single source of the scenario's TypeScript type, its validation and
 * its exported JSON Schema (`regensim schema`). Every default lives here and nowhere else.
 *
 * Units: money in pounds per year (2019 prices), time in years unless a name says quarters,
 * distances in cell widths, shares and indices in [0, 1]. The reason or source of each default is
 * in its description and, at length, in docs/ODD.md.
 */
import { z } from 'zod';

const share = (def: number, what: string) => z.number().min(0).max(1).default(def).describe(what);
const pos = (def: number, what: string) => z.number().positive().default(def).describe(what);
const nonneg = (def: number, what: string) => z.number().min(0).default(def).describe(what);
const int = (def: number, min: number, max: number, what: string) =>
  z.number().int().min(min).max(max).default(def).describe(what);
/**
 * A nested group whose fields all have defaults: `{}` or absence fills them. TypeScript cannot see
 * that `{}` is a valid input for a generic shape (it only knows every field has a default once T
 * is concrete), hence the cast.
 */
const group = <T extends z.ZodRawShape>(shape: T, what: string) => {
  const o = z.object(shape).strict();
  return o.prefault({} as z.input<typeof o>).describe(what);
};

export const POLICY_KINDS = [
  'none',
  'tabula-rasa',
  'place-based',
  'people-based',
  'hub-based',
  'integrated',
  'micro-regeneration',
] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/**
 * A real city from small-area tables (docs/sunderland.md): a bundled data set by name, or the
 * user's own two CSV files. The Node host reads the files and fills the two texts, so the engine
 * (which reads no files) and a browser see the same data.
 */
export const smallAreasSchema = z
  .union([
    z.string().min(1).describe("a bundled small-area data set by name (data/<name>/): 'sunderland'"),
    z
      .object({
        areas: z.string().min(1).describe('path of the area table (CSV, one row per area), relative to the scenario file'),
        neighbours: z.string().min(1).describe('path of the neighbour pairs (CSV: lsoa11cd_a, lsoa11cd_b), relative to the scenario file'),
        centre: z.string().min(1).optional().describe("code of the area at the city centre (most commercial floorspace); default: the area nearest the residents' mean position"),
        areasText: z.string().optional().describe('the area table itself; filled by the host that reads the file'),
        neighboursText: z.string().optional().describe('the neighbour pairs themselves; filled by the host that reads the file'),
      })
      .strict(),
  ], { error: "expected the name of a bundled small-area data set ('sunderland') or { \"areas\": \"file.csv\", \"neighbours\": \"file.csv\" }" })
  .describe('a real city: one neighbourhood per small area, from published data (width and height are then ignored)');

export const citySchema = group(
  {
    width: int(32, 2, 1000, 'neighbourhood columns of the generated grid'),
    height: int(32, 2, 1000, 'neighbourhood rows of the generated grid'),
    statisticalUnitBlock: int(2, 1, 100, 'side (cells) of the square statistical units official data are published for'),
    wardBlock: int(4, 1, 200, 'side (cells) of the square administrative wards'),
    deprivedClusters: int(5, 0, 1000, 'old industrial districts with poor, dense housing and social estates, per 1,024 cells'),
    clusterRadius: pos(3, 'radius of an old industrial district (cells)'),
    centreFloorspace: pos(6, 'commercial floorspace of the city centre relative to an average cell'),
    smallAreas: smallAreasSchema.optional(),
  },
  'the generated city, or a real one from small-area data (city.smallAreas)',
);

export const householdsSchema = group(
  {
    count: int(50000, 100, 5_000_000, 'households at the start'),
    vacancyRate: share(0.04, 'share of market units vacant at the start (England 2019: about 3-4%)'),
    ownerShare: share(0.63, 'owner occupiers (English Housing Survey 2019-20: 65%)'),
    privateRenterShare: share(0.2, 'private renters (EHS 2019-20: 19%); the rest rent social housing'),
    childrenShare: share(0.28, 'households with dependent children (ONS Families and Households 2019: 28%)'),
    retiredShare: share(0.26, 'households whose head is over state pension age'),
    meanSkill: share(0.5, 'mean adult skill (0 = no qualifications, 1 = degree and above)'),
    skillSd: pos(0.17, 'standard deviation of adult skill'),
    hoursSd: nonneg(0.7, 'log standard deviation of household earnings at a given wage (hours, second earners)'),
    sortingStrength: nonneg(3.5, 'how strongly initial residents sort by skill into better housing (logit weight)'),
  },
  'the households at the start',
);

export const economySchema = group(
  {
    baseWage: pos(38000, 'annual earnings of a working household whose job asks average skill (ONS 2019: median household income ~£30k, many with two earners)'),
    wageSkillPremium: nonneg(1.8, 'log wage gap between the most and least skilled jobs'),
    benefit: pos(5500, 'out-of-work benefits of a household before child elements and housing support (Universal Credit standard allowances 2019: £3.8k single, £5.9k couple)'),
    childBenefit: nonneg(2200, 'extra benefit per dependent child'),
    sicknessElement: nonneg(4030, 'extra benefit of a working-age household out of work through ill health (Universal Credit 2019/20: the limited capability for work and work-related activity element, £336 a month; ESA\'s support group likewise)'),
    pension: pos(13000, 'mean pension income of a retired household; it rises with skill (occupational pensions)'),
    povertyLine: share(0.6, 'relative poverty line as a share of median household income, recomputed yearly'),
    povertyMeasure: z
      .enum(['ahc', 'bhc'])
      .default('ahc')
      .describe('income poverty is measured on: after housing costs (ahc, as DWP HBAI reports it and rents change it) or before (bhc)'),
    ownerCostShare: share(0.55, 'housing cost of a working-age owner (mortgage, upkeep) as a share of the local market rent; retired owners pay a fifth of it'),
    housingAllowanceCap: share(0.3, 'housing allowance covers private rent up to this quantile of market rents (Local Housing Allowance: 30th percentile)'),
    allowanceTaper: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('the housing allowance tapers away by this much per pound of income over the means-test line (Housing Benefit: 0.65); unset, the whole allowance stops at the line'),
  },
  'wages, benefits and the poverty line',
);

export const firmsSchema = group(
  {
    jobsPerWorker: pos(1.05, 'jobs at the start per household in the labour force'),
    meanSize: pos(12, 'mean jobs per firm at the start'),
    tradableShare: share(0.35, 'share of firms in tradable sectors (the rest serve local demand)'),
    floorspacePerJob: pos(20, 'square metres of commercial floorspace per job'),
    commercialRentFactor: nonneg(0.02, 'yearly commercial rent and business rates per m2 as a multiple of the cell residential rent per unit (~£180/m2 at the base rent: VOA 2019 rents plus rates at half of them)'),
    markup: nonneg(0.22, 'revenue over wage bill of an average firm at the start (covers rent and rates with a margin)'),
    baseExitRate: share(0.02, 'quarterly exit hazard of every firm (UK business deaths ~10% a year)'),
    lossExitRate: share(0.2, 'extra quarterly exit hazard after sustained losses'),
    lossQuarters: int(4, 1, 40, 'quarters of losses that make losses "sustained"'),
    entryRate: share(0.022, 'quarterly entrants per existing firm, scaled by average margins'),
    relocationRate: share(0.02, 'quarterly share of firms that compare their site with nearby sites'),
    relocationRadius: pos(4, 'how far a relocating firm looks (cells)'),
    relocationCost: nonneg(0.03, 'gain in margin a relocation must bring'),
    demandRadius: pos(3, 'reach of local-service firms\' customers (cells)'),
    growthRate: share(0.05, 'quarterly share of jobs a profitable firm adds'),
    candidateSites: int(8, 1, 64, 'sites an entrant or relocating firm compares'),
  },
  'firms: profit, entry, exit, relocation',
);

export const labourSchema = group(
  {
    separationRate: share(0.01, 'quarterly separation hazard of a healthy worker'),
    healthSeparation: share(0.02, 'extra separation hazard at the worst health'),
    sickThreshold: share(0.48, 'health below which a working-age head out of work becomes unfit for work: it stops searching and draws the sickness element (the Work Capability Assessment) until its health is back above sickRecoveryThreshold. Set so that about 6% of working-age heads are sick (DWP: 2.6m working-age people on incapacity benefits, ESA or Universal Credit with a health condition, in 2019-20, of about 41m aged 16-64)'),
    sickRecoveryThreshold: share(0.58, 'health above which a sick head is fit for work again and searches. Above sickThreshold, because spells of incapacity last: incapacity benefit claims mostly ran for years, not months (DWP benefit statistics by duration); and so that a head hovering at one line does not come and go every quarter'),
    sickLeaveThreshold: share(0.4, 'health below which a working-age head in work leaves it through ill health and is sick; below sickThreshold, because in work a condition is met first with adjustments and sick pay, so a worker leaves at worse health than a claimant is judged unfit at'),
    searchContacts: int(10, 1, 50, 'firms an unemployed person contacts per quarter, each in a cell drawn with probability falling with distance'),
    commuteRadius: pos(8, 'farthest job a person searches (cells)'),
    distanceDecay: pos(4, 'distance at which a job contact is e times less likely (cells)'),
    skillTolerance: pos(0.12, 'skill shortfall at which a hire is e times less likely'),
    networkWeight: share(0.5, 'share of job finding that runs through neighbours in work (referral networks)'),
    retirementAge: int(66, 50, 80, 'state pension age'),
  },
  'the labour market',
);

export const humanCapitalSchema = group(
  {
    schoolsPer1000Households: pos(0.9, 'schools per 1,000 households'),
    clinicsPer1000Households: pos(0.3, 'clinics (GP practices) per 1,000 households'),
    schoolCapacity: pos(1.15, 'school places per pupil household in its catchment at the start'),
    clinicCapacity: pos(1.2, 'clinic capacity per registered household at the start'),
    attainmentRate: share(0.06, 'quarterly speed at which attainment approaches its target'),
    schoolEffect: nonneg(0.45, 'weight of effective school quality in attainment'),
    parentEffect: nonneg(0.3, 'weight of parental skill in attainment'),
    supportEffect: nonneg(0.15, 'weight of family support in attainment'),
    crowdingPenalty: nonneg(1, 'elasticity of school effectiveness to pupils over capacity'),
    peerEffect: nonneg(0.35, 'how much a poor intake drags a school\'s quality down'),
    learningOnJob: nonneg(0.0015, 'quarterly skill gain of the employed'),
    trainingGain: nonneg(0.02, 'quarterly skill gain at full training intensity'),
    unemploymentDecay: nonneg(0.004, 'quarterly skill loss after a year of unemployment'),
    healthRate: share(0.05, 'quarterly speed at which health approaches its target'),
    environmentHealth: nonneg(0.05, 'weight of the neighbourhood environment in the health target, about an average environment of 0.5. Small: reviews of the health effects of UK regeneration found them small and uncertain (Thomson et al. 2006, 1980-2004 programmes) and the New Deal for Communities moved its areas\' health little more than its comparators\' (Batty et al. 2010); at 0.2 a public-realm upgrade (environment +0.6) raised residents\' health by 0.07 and took 7 points off their out-of-work rate'),
    clinicDecay: pos(3, 'distance at which clinic access falls by e (cells)'),
  },
  'schools, clinics, skills and health',
);

export const demographySchema = group(
  {
    birthRate: share(0.02, 'quarterly birth hazard of a household whose head is 20-42 with fewer than three children'),
    leaveHomeRate: share(0.12, 'quarterly hazard that a grown child (18+) forms a household'),
    deathRate: share(0.006, 'quarterly dissolution hazard at 75, doubling every 8 years'),
    inMigrationRate: share(0.003, 'quarterly arrivals per household at average conditions'),
    outMigrationRate: share(0.003, 'quarterly hazard of leaving the city for reasons outside it'),
    migrantSkillShift: nonneg(0.25, 'how far the skill of arrivals follows the skill mix of vacant jobs'),
  },
  'demography and migration',
);

export const housingSchema = group(
  {
    baseRent: pos(9000, 'yearly market rent of an average unit (England 2019: private rents averaged ~£750 a month)'),
    socialRentShare: share(0.62, 'social rent as a share of the average market rent at the start'),
    naturalVacancy: share(0.04, 'vacancy rate at which market rents are stable'),
    vacancyElasticity: nonneg(0.9, 'quarterly log-rent change per point of vacancy below the natural rate'),
    amenityAdjustment: share(0.08, 'quarterly share of the gap to the amenity-capitalised rent closed'),
    qualityWeight: nonneg(0.6, 'log rent per unit of housing quality'),
    environmentWeight: nonneg(0.35, 'log rent per unit of environment'),
    schoolWeight: nonneg(0.3, 'log rent per unit of nearby school quality'),
    safetyWeight: nonneg(0.35, 'log rent per unit of crime'),
    accessWeight: nonneg(0.25, 'log rent per unit of job access'),
    statusWeight: nonneg(0.35, 'log rent per log of neighbours\' income relative to the city'),
    depreciation: nonneg(0.005, 'quarterly share of the gap to the quality landlords can sustain that closes (upkeep and neglect)'),
    reinvestment: nonneg(0.5, 'quality landlords sustain per log of rent relative to the base rent (filtering)'),
    constructionQuarters: int(8, 1, 40, 'quarters from demolition to completed rebuild'),
  },
  'the housing market',
);

export const mobilitySchema = group(
  {
    privateMoveRate: share(0.095, 'quarterly voluntary move hazard of private renters (EHS: half moved in 3 years)'),
    socialMoveRate: share(0.02, 'quarterly voluntary move hazard of social renters'),
    ownerMoveRate: share(0.025, 'quarterly voluntary move hazard of owners'),
    lifeEventMultiplier: nonneg(3, 'move hazard multiplier in a quarter with a birth or a job change'),
    rentBurdenThreshold: share(0.5, 'private rent over this share of income forces a move'),
    burdenQuarters: int(2, 1, 20, 'consecutive quarters over the threshold before the move'),
    affordability: share(0.45, 'a unit is affordable if its rent is at most this share of income'),
    sampleSize: int(12, 1, 100, 'vacant units a mover compares'),
    localSearchShare: share(0.5, 'share of a mover\'s sample drawn near its current home (most English moves are short: EHS 2019-20, two thirds within 10 miles)'),
    localRadius: pos(3, 'how far "near" reaches for local search (cells)'),
    buyIncome: nonneg(1.3, 'a renter who moves buys when its income is at least this multiple of the median (first-time buyers)'),
    socialNeedLine: nonneg(1.1, 'eligible for social housing below this multiple of the poverty line'),
    moveCost: nonneg(1.0, 'utility of staying put for a voluntary mover'),
    tiesWeight: nonneg(2.5, 'utility of local ties (current cell only)'),
    leaveUtility: z.number().default(-2.5).describe('utility of leaving the city, relative to an average cell'),
    beta: group(
      {
        quality: nonneg(3, 'housing quality'),
        environment: nonneg(2, 'environment'),
        school: nonneg(2.5, 'school quality (families with children)'),
        jobs: nonneg(1.5, 'job access'),
        safety: nonneg(2.5, 'safety (minus crime)'),
        similarity: nonneg(4, 'status similarity: minus |log income − log mean neighbour income|'),
        rent: nonneg(6, 'rent as a share of income'),
        distance: nonneg(0.15, 'per cell of distance from the current home (jobs, schools, family and friends left behind)'),
      },
      'logit weights of the location choice',
    ),
  },
  'residential mobility',
);

export const neighbourhoodSchema = group(
  {
    adjustment: share(0.15, 'quarterly speed at which crime and cohesion approach their targets'),
    crimePoverty: nonneg(0.55, 'crime per unit of poverty rate'),
    crimeUnemployment: nonneg(0.5, 'crime per unit of unemployment rate'),
    crimeCohesion: nonneg(0.3, 'crime reduction per unit of cohesion'),
    crimeEnvironment: nonneg(0.2, 'crime reduction per unit of environment'),
    cohesionTenure: nonneg(0.45, 'cohesion per unit of mean residence (10 years = 1)'),
    cohesionTurnover: nonneg(1.2, 'cohesion loss per unit of yearly turnover'),
    environmentDecay: nonneg(0.002, 'quarterly loss of environment quality without public works'),
    tiesGrowth: nonneg(0.03, 'quarterly growth of a household\'s local ties at full cohesion'),
  },
  'crime, cohesion and ties',
);

const weightsSchema = z
  .object({
    income: z.number().min(0), employment: z.number().min(0), education: z.number().min(0), health: z.number().min(0),
    crime: z.number().min(0), barriers: z.number().min(0), environment: z.number().min(0),
  })
  .strict();

export const boundarySchema = z
  .object({
    type: z.enum(['index', 'hub', 'cells']).describe("'index': most deprived areas by a deprivation index; 'hub': a school's soft catchment; 'cells': a list"),
    weights: z.union([z.enum(['imd2019', 'ild1998']), weightsSchema]).optional().describe('domain weights of the index (default imd2019)'),
    quotaHouseholds: z.number().int().positive().optional().describe('households each area should hold (default 4,000: one NDC area)'),
    areas: z.number().int().min(1).max(100).optional().describe('separate areas (default 1)'),
    alignToStatUnits: z.boolean().optional().describe('areas made of whole statistical units (default true for index rules)'),
    resource: z.union([z.number().int().min(0), z.literal('auto')]).optional().describe("hub: the school's resource index, or 'auto'"),
    catchmentRadius: z.number().positive().optional().describe('hub: catchment radius in cells (default 3)'),
    cells: z.array(z.union([z.number().int().min(0), z.string().min(1)])).optional().describe("'cells': the target's cells, by index or, in a real city, by area code"),
  })
  .strict()
  // An empty list is refused with the file, not when the programme starts: it needs no city to see.
  .superRefine((b, ctx) => {
    if (b.type === 'cells' && !b.cells?.length) {
      ctx.addIssue({ code: 'custom', path: ['cells'], message: "a 'cells' rule needs a non-empty list of cells (cell indices, or area codes in a real city)" });
    }
  })
  .describe('how the target area is drawn; default per policy kind');

export const policySchema = z
  .object({
    kind: z.enum(POLICY_KINDS).default('none').describe('which policy acts'),
    budgetPerYear: z.number().positive().default(5_000_000).describe('yearly budget, pounds (NDC: ~£4.4m a year per area of ~4,000 households)'),
    startYear: int(2, 0, 100, 'year the policy starts (its target is drawn then)'),
    durationYears: int(10, 1, 100, 'years the policy runs'),
    boundary: boundarySchema.optional(),
    compareBoundary: boundarySchema
      .optional()
      .describe('a second rule drawn at the start for comparison only (for example another deprivation index): the overlap of the two targets, the statistical units that change status and where the deprived units lie under each, reported as `boundaries`'),
    ringDistance: pos(2, 'cells within this distance of the target, outside it, form the adjacent ring'),
    mix: group(
      {
        physical: share(0.5, 'place-based: share of spending on physical works (public realm, refurbishment, floorspace, brownfield)'),
        incentives: share(0.25, 'place-based: share on firm incentives inside the boundary'),
        programmes: share(0.25, 'place-based: share on area programmes for current residents (lost on moving out)'),
      },
      'how place-based spending is split',
    ),
    performancePressure: share(0, 'pressure to show outputs: shifts spending toward cheap, visible outputs (floorspace, leveraged private investment)'),
    tenureSecurity: share(0, 'protection of sitting tenants in the target from rent-forced moves (0 none, 1 full)'),
    people: group(
      {
        transfer: nonneg(2500, 'portable yearly transfer to each eligible household (pounds, at most)'),
        training: share(0.5, 'training and job-search help intensity for eligible working-age adults'),
        eligibility: pos(1, 'eligible below this multiple of the means-test line (60% of median income before housing costs)'),
        reach: z
          .enum(['residents', 'city'])
          .default('residents')
          .describe("who may claim: 'residents' — the target's residents at the start, wherever they move (the same people an area programme would serve, at the same budget); 'city' — every eligible household"),
      },
      'people-based support: means-tested, portable',
    ),
    hub: group(
      {
        adultEducation: share(0.35, 'share of hub spending on adult education'),
        familySupport: share(0.3, 'share on family support'),
        employerPipeline: share(0.2, 'share on the employer pipeline (partner firms favour graduates)'),
        community: share(0.15, 'share on community activity (ties, cohesion)'),
        friction: share(0.35, "institutional friction: share of effort the school's own performance targets absorb"),
        coverage: share(0.5, 'departmental coverage: share of the other departments whose resources the hub brings in'),
      },
      'hub programmes and their frictions',
    ),
  })
  .strict()
  .prefault({})
  .describe('the regeneration policy');

export const runSchema = group(
  {
    years: int(25, 0, 200, 'simulated years'),
    seed: z.number().int().min(0).max(2 ** 53 - 1).default(1).describe('run seed'),
    spinUpYears: int(
      15,
      0,
      100,
      'years simulated without any policy before year 0 and not reported: the generated city starts out of balance (young families with no grown children yet, tenants in homes they cannot afford), and its households, rents and vacancies take about 15 years to settle',
    ),
  },
  'run length and seed',
);

export const metricsSchema = group(
  {
    lisaPermutations: int(99, 19, 9999, 'conditional permutations of the LISA significance test (99 resolves p = 0.01; raise it for publication-grade maps)'),
    lisaAlpha: z.number().gt(0).lt(1).default(0.05).describe('significance level of a LISA cluster'),
  },
  'metrics options',
);

/**
 * The Schelling (1971) segregation model, a different and minimal model that runs through the
 * same facade (`model: "schelling"`, sim/schelling.ts). Defaults follow NetLogo's Segregation
 * model (Wilensky 1997): a wrapped grid, two equal groups, 8 neighbours, a 30% threshold.
 */
export const schellingSchema = group(
  {
    width: int(50, 4, 2000, "columns of the grid (it wraps around at the edges, as NetLogo's Segregation model does)"),
    height: int(50, 4, 2000, 'rows of the grid'),
    density: z.number().gt(0).lt(1).default(0.9).describe('share of the cells occupied by an agent'),
    groupShare: z.number().gt(0).lt(1).default(0.5).describe('share of the agents in the first of the two groups'),
    threshold: share(0.3, 'threshold rule: an agent is unhappy, and moves to a random empty cell, when fewer than this share of its occupied neighbours belong to its group'),
    rule: z
      .enum(['threshold', 'continuous'])
      .default('threshold')
      .describe("'threshold': Schelling's rule (unhappy agents move to a random empty cell); 'continuous': every agent compares staying with a few empty cells by a logit choice whose utility rises linearly with the share of similar neighbours (Bruch & Mare 2006)"),
    preferenceWeight: nonneg(2, 'continuous rule: utility per unit share of similar neighbours (a cell of only similar neighbours is e^2 ≈ 7 times as attractive as one of none, other things equal)'),
    candidates: int(5, 1, 1000, 'continuous rule: empty cells an agent compares with staying each round'),
  },
  'the Schelling segregation model (read when model is "schelling")',
);

export const MODELS = ['city', 'schelling'] as const;
export type ModelName = (typeof MODELS)[number];

/**
 * Headings of a teaching note's sections, in the order they are shown (the CLI's `--describe`
 * and the lab render the same plain text).
 */
export const NOTE_SECTIONS = [
  ['question', 'The question'],
  ['lookAt', 'What to look at'],
  ['modelShows', 'What the model shows'],
  ['studyClaims', 'What the study claims, and on what evidence'],
  ['settings', 'What was set, and why'],
  ['limits', 'What the model does not show'],
] as const;

const noteText = (what: string) => z.string().min(1).optional().describe(what);
export const noteSchema = z
  .object({
    question: noteText('the question the scenario asks'),
    lookAt: noteText('what to look at: commands and output fields'),
    modelShows: noteText('what the model shows, with measured figures and the command that measured them'),
    studyClaims: noteText('what the source study claims and on what evidence'),
    settings: noteText('parameters set for this scenario and why'),
    limits: noteText('what the model does not show or does not reproduce, and why we think so'),
  })
  .strict()
  .describe('teaching note in sections (plain text), shown by `regensim scenarios --describe`');

/**
 * Kind-specific policy fields and the kinds that read them; a scenario file that writes one for
 * another kind is refused (sim/config/load.ts), because a setting nothing reads is a silent
 * mistake. Fields not listed (budget, years, boundaries, ring) apply to every kind.
 */
export const POLICY_FIELD_KINDS: Readonly<Record<string, readonly PolicyKind[]>> = {
  mix: ['place-based'],
  performancePressure: ['place-based'],
  people: ['people-based', 'integrated'],
  hub: ['hub-based', 'integrated'],
  tenureSecurity: ['place-based', 'hub-based', 'integrated'],
};
/** Hub fields the integrated policy fixes (a multi-department partnership: no friction, full coverage). */
export const INTEGRATED_FIXED_HUB_FIELDS = ['friction', 'coverage'] as const;
/** Top-level groups only the city model reads. */
export const CITY_GROUPS = ['city', 'households', 'economy', 'firms', 'labour', 'humanCapital', 'demography', 'housing', 'mobility', 'neighbourhood', 'policy', 'metrics'] as const;

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).default('custom').describe('scenario name'),
    title: z.string().default('').describe('one line shown by `regensim scenarios`'),
    description: z.string().default('').describe('a short paragraph on what the scenario sets up; the teaching note\'s sections are in `note`'),
    extends: z.string().optional().describe('bundled scenario (or file) this one overrides'),
    note: noteSchema.optional(),
    model: z.enum(MODELS).default('city').describe("which model runs: 'city' (the regeneration model) or 'schelling' (the minimal segregation model of sim/schelling.ts)"),
    city: citySchema,
    households: householdsSchema,
    economy: economySchema,
    firms: firmsSchema,
    labour: labourSchema,
    humanCapital: humanCapitalSchema,
    demography: demographySchema,
    housing: housingSchema,
    mobility: mobilitySchema,
    neighbourhood: neighbourhoodSchema,
    policy: policySchema,
    run: runSchema,
    metrics: metricsSchema,
    schelling: schellingSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.households.ownerShare + s.households.privateRenterShare > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['households', 'privateRenterShare'],
        message: 'ownerShare + privateRenterShare must be at most 1 (the rest rent social housing)',
      });
    }
    // A spell of sickness begins below sickThreshold and ends above sickRecoveryThreshold; a worker
    // leaves work below sickLeaveThreshold. Lines out of this order would end a spell as it began.
    const lab = s.labour;
    if (lab.sickRecoveryThreshold < lab.sickThreshold) {
      ctx.addIssue({
        code: 'custom',
        path: ['labour', 'sickRecoveryThreshold'],
        message: `must be at least labour.sickThreshold (${lab.sickThreshold}): a spell of sickness ends at a health no lower than it began`,
      });
    }
    if (lab.sickLeaveThreshold > lab.sickThreshold) {
      ctx.addIssue({
        code: 'custom',
        path: ['labour', 'sickLeaveThreshold'],
        message: `must be at most labour.sickThreshold (${lab.sickThreshold}): a worker leaves work at a health no better than an unemployed head is judged unfit at`,
      });
    }
  });

/** A scenario with every default filled: what the engine reads. */
export type ScenarioConfig = z.output<typeof scenarioSchema>;
/** A scenario as written in a file: every field optional. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
