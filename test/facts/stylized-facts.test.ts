/**
 * The stylized facts of MODEL.md §7, each a test over 20 seeds of the default city (fact 2 over 40),
 * 25 years, all policies at the same budget (the scenario's £5m a year for 10 years from year 2;
 * fact 6c also the same £50m over 23 years), every policy run paired with its counterfactual
 * (`none` with the same boundary and seed).
 *
 * Each test prints the measured effect with its 95% interval over seeds and asserts the fact at
 * that level. The facts must emerge from the mechanisms: nothing here, or in the engine, reads a
 * policy's kind to produce a metric. Parts of facts that do not emerge from the model as it is are
 * kept as `it.fails` with the figures measured (docs/ODD.md §10): they say what the model does
 * not yet show, and they will fail — calling for their promotion — the day it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRules } from '../../sim/boundaries.ts';
import { kindFieldProblem } from '../../sim/config/load.ts';
import { scenarioSchema } from '../../sim/config/schema.ts';
import type { ScenarioConfig, ScenarioInput } from '../../sim/config/schema.ts';
import { createWorld } from '../../sim/create.ts';
import { evaluate, meanInterval } from '../../sim/metrics/evaluation.ts';
import { boundaryRuleOf } from '../../sim/policies/index.ts';
import type { RunResult, YearFrame } from '../../sim/types.ts';
import type { RunTask } from '../../workers/api.ts';
import { createPool } from '../../workers/pool.ts';
import { ofOriginalPeople } from '../scenarios/helpers.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/**
 * Fact 2 is a half-point effect whose 95% interval over 20 seeds is about ±0.4 points: it is also
 * measured on seeds 21–40 (place-based to the programme's end; it needs no counterfactual), and
 * asserted over all 40.
 */
const MORE_SEEDS = Array.from({ length: 20 }, (_, i) => i + 21);
const YEARS = 25;
/** The programme's last year (default start year 2 + 10 years): the facts about a programme's
 * course are measured then, as the NDC evaluation measured its areas at the programme's end. */
const END = 12;
/** The years the facts read (the programme's end and the last year are kept anyway): tabula rasa's early forced moves. */
const FRAME_YEARS = [4, END];

/** A programme that lasts from the default start year (2) to the run's end. */
const LONG_YEARS = YEARS - 2;

/** The runs: each policy variant and the counterfactuals its boundary needs. */
const VARIANTS: Record<string, ScenarioInput['policy']> = {
  place: { kind: 'place-based' },
  pressure: { kind: 'place-based', performancePressure: 0.8 },
  halo: { kind: 'place-based', mix: { physical: 0.3, incentives: 0, programmes: 0.7 }, tenureSecurity: 1 },
  tabula: { kind: 'tabula-rasa' },
  people: { kind: 'people-based' },
  micro: { kind: 'micro-regeneration' },
  hub: { kind: 'hub-based' },
  integrated: { kind: 'integrated' },
  // Fact 6c: the same total budget (£50m) spread over the rest of the run (23 years from year 2),
  // as a hub is built to last (STUDY.md: structural poverty needs long-term core resources), and
  // place-based on the same terms, for the lead.
  hubLong: { kind: 'hub-based', durationYears: LONG_YEARS, budgetPerYear: (5_000_000 * 10) / LONG_YEARS },
  placeLong: { kind: 'place-based', durationYears: LONG_YEARS, budgetPerYear: (5_000_000 * 10) / LONG_YEARS },
};

/**
 * Refuses a variant that sets a field its policy kind does not read, as a scenario file is refused
 * (sim/config/load.ts): such a setting changes nothing, and the fact would be measured on a policy
 * other than the one its name says.
 */
function checkReadFields(name: string, policy: Record<string, unknown>, path: string[] = ['policy']): void {
  for (const [key, value] of Object.entries(policy)) {
    const at = [...path, key];
    const problem = kindFieldProblem(at, 'city', VARIANTS[name]!.kind);
    if (problem) throw new Error(`variant "${name}": ${at.join('.')}: ${problem}`);
    if (value && typeof value === 'object' && !Array.isArray(value)) checkReadFields(name, value as Record<string, unknown>, at);
  }
}

const configs = new Map<string, ScenarioConfig>();
const counterfactualOf = new Map<string, string>();
for (const [name, policy] of Object.entries(VARIANTS)) {
  checkReadFields(name, policy as Record<string, unknown>);
  const config = scenarioSchema.parse({ name: 'baseline', policy });
  configs.set(name, config);
  // The run without the programme: the same boundary, nothing else of the variant's (none reads none of it).
  const cf = scenarioSchema.parse({ name: 'baseline', policy: { kind: 'none', boundary: boundaryRuleOf(config) } });
  const key = `none:${JSON.stringify(cf.policy.boundary)}`;
  configs.set(key, cf);
  counterfactualOf.set(name, key);
}

/** The distinct counterfactuals, one per boundary rule. */
const counterfactuals = [...new Set(counterfactualOf.values())];
const results = new Map<string, RunResult[]>();
const pool = createPool();

beforeAll(async () => {
  const names = [...configs.keys()];
  const own = names.filter((n) => !counterfactuals.includes(n));
  // Seed by seed, so that a worker reuses a seed's spin-up for the runs that follow it. The
  // counterfactuals of a seed are one run of none that follows every rule's regions (`track`,
  // sim/simulation.ts): the same results as a run for each, in fewer runs.
  const tasks: RunTask[] = SEEDS.flatMap((seed) => [
    ...own.map((name) => ({ id: `${name}#${seed}`, config: configs.get(name)!, seed, years: YEARS, frameYears: FRAME_YEARS })),
    { id: `${counterfactuals[0]!}#${seed}`, config: configs.get(counterfactuals[0]!)!, track: counterfactuals.slice(1).map((n) => configs.get(n)!), seed, years: YEARS, frameYears: FRAME_YEARS },
  ]).concat(MORE_SEEDS.map((seed) => ({ id: `placeMore#${seed}`, config: configs.get('place')!, seed, years: END, frameYears: FRAME_YEARS })));
  const done = await pool.runAll(tasks);
  const keep = (name: string, r: RunResult) => (results.get(name) ?? results.set(name, []).get(name)!).push(r);
  for (let i = 0; i < tasks.length; i++) {
    const r = done[i]!;
    if (!r.result) throw new Error(`run ${tasks[i]!.id} failed: ${r.error}`);
    keep(tasks[i]!.id.split('#')[0]!, r.result);
    if (tasks[i]!.track) counterfactuals.slice(1).forEach((n, j) => keep(n, r.tracked![j]!));
  }
}, 1_800_000);

afterAll(async () => {
  await pool.close();
});

type Block = Exclude<keyof YearFrame, 'year'>;
/** A metric of each seed's final frame (or the frame of `year`). */
function values(name: string, block: Block, metric: string, year?: number): number[] {
  return results.get(name)!.map((r) => {
    const f = year === undefined ? r.final : r.series.find((s) => s.year === year);
    if (!f) throw new Error(`year ${year} was not kept: add it to FRAME_YEARS`);
    return ((f as Record<string, Record<string, number> | undefined>)[block]?.[metric]) ?? NaN;
  });
}
/** Per seed: a minus b (both lists in seed order). */
function minus(a: number[], b: number[]): number[] {
  return a.map((v, i) => v - b[i]!);
}
/** Per seed: policy minus its counterfactual. */
function paired(name: string, block: Block, metric: string, year?: number): number[] {
  return minus(values(name, block, metric, year), values(counterfactualOf.get(name)!, block, metric, year));
}
/**
 * Per seed: `metric` over the original residents as people — the households of the start and those
 * their children (born before the start) have set up since (`grownChildren`), weighted by households.
 */
function ofPeople(name: string, metric: string, year?: number): number[] {
  return results.get(name)!.map((r) => {
    const f = year === undefined ? r.final : r.series.find((s) => s.year === year);
    if (!f) throw new Error(`year ${year} was not kept: add it to FRAME_YEARS`);
    return ofOriginalPeople(f, metric);
  });
}
/** Per seed: ofPeople of the policy minus its counterfactual's. */
function pairedPeople(name: string, metric: string, year?: number): number[] {
  return minus(ofPeople(name, metric, year), ofPeople(counterfactualOf.get(name)!, metric, year));
}
function report(label: string, xs: number[]): { mean: number; lo: number; hi: number } {
  const m = meanInterval(xs);
  console.log(`${label}: ${m.mean.toFixed(4)} (95% ${m.lo.toFixed(4)} to ${m.hi.toFixed(4)}), ${xs.length} seeds`);
  return m;
}

describe('stylized facts (MODEL.md §7), 20 seeds × 25 years, default city', () => {
  // Measured (settled city, docs/ODD.md §10): ring firms −7.9 (−13.9 to −1.8) — the firm half
  // holds — but ring poverty −0.2 points (−0.6 to +0.2): two thirds of the households forced out
  // leave the city and a fifth go to the ring, the improved target keeps and draws in households
  // that would have moved to or stayed in the ring, and the ring's rents fall; its poverty rises
  // only by year 25 (+1.5, +0.9 to +2.0), mostly from who moved (+1.1): the ring's own turnover
  // (half its households in ten years) dwarfs the programme's flows, and at the programme's end
  // neither its residents' poverty (−0.2) nor its newcomers' (−0.0) has moved.
  it.fails('1. place-based with firm incentives raises poverty and cuts firms in the adjacent ring', () => {
    const pov = report('ring poverty at the programme end, place-based − none', paired('place', 'ring', 'povertyRate', END));
    const firms = report('ring firms at the programme end, place-based − none', paired('place', 'ring', 'firms', END));
    report('ring poverty at year 25, place-based − none', paired('place', 'ring', 'povertyRate'));
    report("ring poverty at the programme end, its residents' own change (those of the start still there), place-based − none", paired('place', 'churn', 'ringPeopleChange', END));
    report('ring poverty at the programme end, the change from who moved, place-based − none', paired('place', 'churn', 'ringCompositionChange', END));
    report("ring poverty at year 25, its residents' own change, place-based − none", paired('place', 'churn', 'ringPeopleChange'));
    report('ring poverty at year 25, the change from who moved, place-based − none', paired('place', 'churn', 'ringCompositionChange'));
    report('ring poverty at year 25, the same budget over 23 years − none', paired('placeLong', 'ring', 'povertyRate'));
    report('ring firms at year 25, the same budget over 23 years − none', paired('placeLong', 'ring', 'firms'));
    expect(pov.lo).toBeGreaterThan(0);
    expect(firms.hi).toBeLessThan(0);
  });

  // Measured (docs/ODD.md §10): over seeds 1–20 −0.27 points (−0.64 to +0.10), over seeds 21–40
  // −0.89 (−1.24 to −0.55); composition is half the target's change. A weak effect: 20 seeds cannot
  // tell its sign, so it is asserted over 40 (the second twenty were added because the first could
  // not resolve it — both halves are printed). The sick stay in the target, on the sickness element
  // and with a medical priority for social lettings, while those who find work are the ones who
  // can leave.
  it("2. under place-based the target's poverty falls more than its original residents'", () => {
    const gapOf = (name: string) => {
      const target = values(name, 'churn', 'targetPovertyChange', END);
      return results.get(name)!.map((r, i) => target[i]! - (r.series.find((f) => f.year === END)!.originalResidents!.povertyRate! - r.baseline!.originalResidents!.povertyRate!));
    };
    report('target poverty change − original residents poverty change, start to programme end, seeds 1–20', gapOf('place'));
    report('the same, seeds 21–40', gapOf('placeMore'));
    const gap = report('the same, seeds 1–40', [...gapOf('place'), ...gapOf('placeMore')]);
    report('share of the change that is composition', values('place', 'churn', 'compositionShareOfChange', END));
    expect(gap.hi).toBeLessThan(0);
  });

  it('3a. a substantial share of residents who exit poverty leave the target', () => {
    const left = report('share of poverty exiters who left the target', values('place', 'churn', 'exitedPovertyLeftShare', END));
    expect(left.lo).toBeGreaterThan(0.3);
  });

  // In-movers include grown children forming their first household (on benefits until they find
  // work) and arrivals; out-movers (not households that dissolved: they went nowhere) include those
  // pushed out by rent and decanting. Measured: docs/ODD.md §10.
  it('3b. in-movers are poorer than out-movers', () => {
    const inOut = minus(values('place', 'churn', 'inMoverPovertyRate', END), values('place', 'churn', 'outMoverPovertyRate', END));
    const gap = report('in-mover − out-mover poverty rate', inOut);
    expect(gap.lo).toBeGreaterThan(0);
  });

  it('4. floorspace targets are reached far better than housing and jobs; jobs barely move original residents\' unemployment', () => {
    const floor = report('completion % floorspace', values('place', 'outputs', 'completion.floorspace', END));
    const homes = report('completion % homes', values('place', 'outputs', 'completion.homesBuilt', END));
    const jobs = report('completion % jobs', values('place', 'outputs', 'completion.jobsCreated', END));
    report('jobs relocated into the target', values('place', 'outputs', 'jobsRelocated', END));
    const unemp = report('original residents unemployment, place-based − none', paired('place', 'originalResidents', 'unemploymentRate', END));
    expect(floor.mean - homes.mean).toBeGreaterThan(20);
    expect(floor.mean - jobs.mean).toBeGreaterThan(10);
    expect(Math.abs(unemp.mean)).toBeLessThan(0.03);
  });

  it('5. under performance pressure most spending is physical', () => {
    const share = report('physical share of spending, pressure 0.8', values('pressure', 'spending', 'physicalShare'));
    expect(share.lo).toBeGreaterThan(0.5);
  });

  it("6a. at equal budget, hub-based gives original residents' children larger gains in attainment than place-based", () => {
    const att = report('original residents attainment effect, hub − place-based', minus(paired('hub', 'originalResidents', 'childAttainment'), paired('place', 'originalResidents', 'childAttainment')));
    expect(att.lo).toBeGreaterThan(0);
  });

  // Skills are measured over the original residents as people (`ofPeople`): the households of the
  // start and those their children set up since, whose skill follows the attainment they reached.
  // Measured: +0.009 (+0.006 to +0.013); over the households of the start alone +0.003 (−0.001 to
  // +0.008) — the hub's lead is mostly in the children it taught, who carry it into their own
  // homes. At the programme's end the lead is +0.016 (+0.012 to +0.020): it shrinks after (fact 6c).
  it("6a'. at equal budget, hub-based gives original residents larger gains in adult skills than place-based", () => {
    report('original residents (households of the start) skill effect, hub − place-based', minus(paired('hub', 'originalResidents', 'meanSkill'), paired('place', 'originalResidents', 'meanSkill')));
    const skill = report('original residents and their grown children skill effect, hub − place-based', minus(pairedPeople('hub', 'meanSkill'), pairedPeople('place', 'meanSkill')));
    report('the same at the programme end', minus(pairedPeople('hub', 'meanSkill', END), pairedPeople('place', 'meanSkill', END)));
    expect(skill.lo).toBeGreaterThan(0);
  });

  // Churn is compared as each programme's effect on its own target's turnover (paired with its
  // counterfactual): the two targets are different areas with different turnover before any programme.
  // Displacement as MODEL.md §5 defines it: the households the programme forces out of its target
  // and where they went, and the ring's poverty and firms, each paired with the run without it. All
  // at the programme's end, as this file measures every fact not about the long run. Measured (docs/
  // ODD.md §10): turnover effects hub −0.012 (−0.020 to −0.003), place-based −0.002 (−0.006 to
  // +0.003), hub − place-based −0.010 (−0.019 to −0.000): less churn, at the edge; households forced
  // out by the programme, hub − place-based −309 (place-based +342, the hub +33), of them into the
  // ring −56 (+67 against +11); the ring's poverty effect the same under both (+0.000, −0.010 to
  // +0.010) and its firms' effect not worse under the hub (−4.6 against −7.9). The ring's poverty is
  // not lower under the hub: the displacement it spares goes mostly out of the city (fact 1).
  it('6b. hub-based shows less churn and displacement than place-based', () => {
    report('target turnover effect, hub', paired('hub', 'target', 'turnover', END));
    report('target turnover effect, place-based', paired('place', 'target', 'turnover', END));
    const turnover = report('target turnover effect, hub − place-based', minus(paired('hub', 'target', 'turnover', END), paired('place', 'target', 'turnover', END)));
    const forced = report('households forced out of the target by the programme, hub − place-based', minus(paired('hub', 'churn', 'forcedOutMovers', END), paired('place', 'churn', 'forcedOutMovers', END)));
    const toRing = report('of them into the ring, hub − place-based', minus(paired('hub', 'churn', 'forcedToRing', END), paired('place', 'churn', 'forcedToRing', END)));
    const ring = report('ring poverty effect, hub − place-based', minus(paired('hub', 'ring', 'povertyRate', END), paired('place', 'ring', 'povertyRate', END)));
    const firms = report('ring firms effect, hub − place-based', minus(paired('hub', 'ring', 'firms', END), paired('place', 'ring', 'firms', END)));
    expect(turnover.hi).toBeLessThan(0);
    expect(forced.hi).toBeLessThan(0);
    expect(toRing.hi).toBeLessThan(0);
    // The ring no worse off under the hub: neither poorer nor with fewer firms, beyond the seeds' noise.
    expect(ring.lo).toBeLessThan(0);
    expect(firms.hi).toBeGreaterThan(0);
  });

  // Growth of the gains over 20–25 years, asked of a hub that lasts: the same £50m over 23 years
  // (£2.2m a year) instead of ten, as a hub is built to last (STUDY.md: structural poverty needs
  // long-term core resources); place-based on the same terms gives the lead. Measured (docs/ODD.md
  // §10): the skill effect over the original residents and their grown children +0.050 at year 12,
  // +0.052 at year 25 — a change of +0.001 (−0.001 to +0.003): the lasting hub holds its gain, it
  // does not grow it. Among the grown children the effect grows (+0.010, +0.003 to +0.018), as the
  // children it taught set up home; among the households of the start it stays (+0.002, −0.001 to
  // +0.004): adult education stops once a learner reaches the median skill, so its stock of trained
  // adults settles while those it trained age and leave. The lead over place-based shrinks (+0.035
  // to +0.026). The gains do grow in the hub's catchment, for whoever lives there: its residents'
  // skill effect +0.006 (+0.004 to +0.009) and its children's attainment effect +0.013 (+0.008 to
  // +0.019) from year 12 to 25, where the original residents' children's falls (−0.005, −0.013 to
  // +0.003). Of its 722 households of the start (mean over seeds), 579 are still in the catchment at
  // year 4, 314 at year 12 and 145 at year 25 (300 still in the city): the hub's services reach the place, and
  // the original residents move out of their reach.
  it.fails("6c. a lasting hub's gains grow over 20–25 years", () => {
    const early = pairedPeople('hubLong', 'meanSkill', END);
    report('lasting hub skill effect (original residents and grown children) at year 12', early);
    report('lasting hub skill effect at year 25', pairedPeople('hubLong', 'meanSkill'));
    report('lasting hub skill effect, households of the start, year 25 − year 12', minus(paired('hubLong', 'originalResidents', 'meanSkill'), paired('hubLong', 'originalResidents', 'meanSkill', END)));
    report('lasting hub skill effect, grown children, year 25 − year 12', minus(paired('hubLong', 'grownChildren', 'meanSkill'), paired('hubLong', 'grownChildren', 'meanSkill', END)));
    report('lasting hub poverty effect (original residents), year 12', paired('hubLong', 'originalResidents', 'povertyRate', END));
    report('lasting hub poverty effect (original residents), year 25', paired('hubLong', 'originalResidents', 'povertyRate'));
    report('lasting hub out-of-work effect (original residents), year 12', paired('hubLong', 'originalResidents', 'outOfWorkRate', END));
    report('lasting hub out-of-work effect (original residents), year 25', paired('hubLong', 'originalResidents', 'outOfWorkRate'));
    report('lasting hub lead over lasting place-based, skill, year 12', minus(pairedPeople('hubLong', 'meanSkill', END), pairedPeople('placeLong', 'meanSkill', END)));
    report('lasting hub lead over lasting place-based, skill, year 25', minus(pairedPeople('hubLong', 'meanSkill'), pairedPeople('placeLong', 'meanSkill')));
    report('lasting hub attainment lead over lasting place-based, year 25', minus(paired('hubLong', 'originalResidents', 'childAttainment'), paired('placeLong', 'originalResidents', 'childAttainment')));
    // People or place: whom the lasting hub's gains reach by year 25 — the original residents, or
    // whoever lives in its catchment then — and how many of the households of the start are still
    // within reach of its services.
    report('lasting hub attainment effect (original residents\' children), year 12', paired('hubLong', 'originalResidents', 'childAttainment', END));
    report('lasting hub attainment effect (original residents\' children), year 25', paired('hubLong', 'originalResidents', 'childAttainment'));
    report('lasting hub skill effect, its catchment\'s residents, year 12', paired('hubLong', 'target', 'meanSkill', END));
    report('lasting hub skill effect, its catchment\'s residents, year 25', paired('hubLong', 'target', 'meanSkill'));
    report('lasting hub attainment effect, its catchment\'s children, year 12', paired('hubLong', 'target', 'childAttainment', END));
    report('lasting hub attainment effect, its catchment\'s children, year 25', paired('hubLong', 'target', 'childAttainment'));
    report('lasting hub skill effect, its catchment\'s residents, year 25 − year 12', minus(paired('hubLong', 'target', 'meanSkill'), paired('hubLong', 'target', 'meanSkill', END)));
    report('lasting hub attainment effect, its catchment\'s children, year 25 − year 12', minus(paired('hubLong', 'target', 'childAttainment'), paired('hubLong', 'target', 'childAttainment', END)));
    report('lasting hub attainment effect (original residents\' children), year 25 − year 12', minus(paired('hubLong', 'originalResidents', 'childAttainment'), paired('hubLong', 'originalResidents', 'childAttainment', END)));
    report('households of the start in the lasting hub\'s catchment', values('hubLong', 'originalResidents', 'atStart'));
    report('households of the start still in the lasting hub\'s catchment, year 4', values('hubLong', 'stayers', 'households', 4));
    report('households of the start still in the lasting hub\'s catchment, year 12', values('hubLong', 'stayers', 'households', END));
    report('households of the start still in the lasting hub\'s catchment, year 25', values('hubLong', 'stayers', 'households'));
    report('households of the start still in the city, year 25', values('hubLong', 'originalResidents', 'households'));
    const growth = report('lasting hub skill effect, year 25 − year 12', minus(pairedPeople('hubLong', 'meanSkill'), early));
    expect(growth.lo).toBeGreaterThan(0);
  });

  // The other side of fact 6c: a hub whose money stops with the ten-year programme. Its skill gain
  // shrinks after year 12 — the adults it trained age and leave, and nothing trains the next ones
  // (STUDY.md's structural poverty: only sustained core resources move it). Measured: −0.011
  // (−0.013 to −0.009), a fifth of the gain, where the lasting hub's holds. Year 25's churn and
  // displacement are reported beside: the turnover effects are alike (hub −0.009, place-based
  // −0.010) and the hub's ring is 1.5 points less poor than place-based's.
  it("6c'. a hub whose money stops after ten years loses part of its gains by year 25", () => {
    report('target turnover effect at year 25, hub', paired('hub', 'target', 'turnover'));
    report('target turnover effect at year 25, place-based', paired('place', 'target', 'turnover'));
    report('target turnover effect at year 25, hub − place-based', minus(paired('hub', 'target', 'turnover'), paired('place', 'target', 'turnover')));
    report('ring poverty effect at year 25, hub − place-based', minus(paired('hub', 'ring', 'povertyRate'), paired('place', 'ring', 'povertyRate')));
    const early = pairedPeople('hub', 'meanSkill', END);
    report('hub skill effect (original residents and grown children) at the programme end', early);
    const growth = report('hub skill effect, year 25 − programme end', minus(pairedPeople('hub', 'meanSkill'), early));
    expect(growth.hi).toBeLessThan(0);
  });

  it("7. people-based lowers recipients' poverty wherever they live but barely lowers concentration", () => {
    const orig = report('original residents poverty, people-based − none', paired('people', 'originalResidents', 'povertyRate', END));
    const leavers = report('leavers poverty, people-based − none', paired('people', 'leavers', 'povertyRate', END));
    const dis = report('dissimilarity, people-based − none', paired('people', 'city', 'dissimilarity', END));
    report('share of the poor in ≥40% poor cells, people-based − none', paired('people', 'city', 'concentratedPovertyShare', END));
    expect(orig.hi).toBeLessThan(0);
    expect(leavers.mean).toBeLessThan(0);
    expect(Math.abs(dis.mean)).toBeLessThan(0.02);
  });

  it('8. changing the index weights changes which areas are targeted', () => {
    const rule = { type: 'index' as const, quotaHouseholds: 4000, areas: 1, alignToStatUnits: false };
    const jaccard = SEEDS.slice(0, 10).map((seed) => {
      const w = createWorld(scenarioSchema.parse({ name: 'baseline' }), seed);
      return compareRules(w, { ...rule, weights: 'imd2019' }, { ...rule, weights: 'ild1998' }).jaccard;
    });
    const j = report('overlap (Jaccard) of IMD 2019 and ILD 1998 targets', jaccard);
    expect(j.mean).toBeLessThan(1);
    expect(jaccard.filter((x) => x < 1).length).toBeGreaterThanOrEqual(8);
  });

  it('9. the NDC-style evaluation of place-based is better on most indicators, led by environment and crime, not worklessness', () => {
    const e = evaluate(results.get('place')!.map((r) => r.did!));
    console.log(`better on ${e.better} of ${e.total}, ${e.significant} significant: ${e.indicators.map((r) => `${r.name} ${r.did.toFixed(3)}${r.significant ? '*' : ''}`).join(', ')}`);
    const row = (n: string) => e.indicators.find((r) => r.name === n)!;
    expect(e.better).toBeGreaterThan(e.total / 2);
    expect(row('environment').significant).toBe(true);
    expect(row('crime').significant).toBe(true);
    // Worklessness moves least: its standardised effect is smaller than environment's.
    const z = (n: string) => Math.abs(row(n).did) / Math.max(1e-9, (row(n).hi - row(n).lo) / 3.92);
    expect(z('unemploymentRate')).toBeLessThan(z('environment'));
  });

  it("10a. tabula rasa forces residents out, raises the target's rents and does not lower the city's poverty", () => {
    const forced = report('target forced moves, tabula rasa − none', paired('tabula', 'target', 'forcedMoves', 4));
    const rent = report('target mean rent, tabula rasa − none', paired('tabula', 'target', 'meanRent', END));
    const city = report('city poverty, tabula rasa − none', paired('tabula', 'city', 'povertyRate', END));
    expect(forced.lo).toBeGreaterThan(0);
    expect(rent.lo).toBeGreaterThan(0);
    expect(city.lo).toBeGreaterThan(-0.005);
  });

  // Measured: target poverty −1.3 points (−1.8 to −0.9) after housing costs. It emerged once a
  // scheme redeveloped neighbourhoods whole (sim/policies/levers.ts, clearAndRebuild): spread a few
  // homes at a time over many cells, the new homes let at the old neighbourhood's rent to the same
  // tenants, −0.5 points (−1.2 to +0.2).
  it("10b. tabula rasa lowers the target's poverty", () => {
    const pov = report('target poverty, tabula rasa − none', paired('tabula', 'target', 'povertyRate', END));
    expect(pov.hi).toBeLessThan(0);
  });

  // Measured (docs/ODD.md §10): ring poverty −0.89 points (−1.38 to −0.40) with people-heavy
  // spending and full tenure security in the target, −0.19 (−0.58 to +0.19) under the default mix;
  // the contrast −0.70 (−1.10 to −0.30). Secured, the target's poor tenants stay where they are
  // (households forced out −423 against the run without the programme, into the ring −52), so the
  // ring no longer takes in the poor households the market pushes out of the target every year —
  // and the target's own poverty rises (+5.1 points): a place that looks worse, people kept. With
  // the people-heavy mix alone (no security) the ring moved −0.03 (−0.54 to +0.48): until place-based
  // read `policy.tenureSecurity`, this variant set it to no effect and the fact did not show.
  it('11. displacement depends on the mix: people-heavy support with tenure security gives the ring a halo', () => {
    const halo = report('ring poverty, people-heavy place-based with tenure security − none', paired('halo', 'ring', 'povertyRate', END));
    report('ring poverty, place-based − none', paired('place', 'ring', 'povertyRate', END));
    const contrast = report('ring poverty effect, people-heavy with security − default mix', minus(paired('halo', 'ring', 'povertyRate', END), paired('place', 'ring', 'povertyRate', END)));
    report('households forced out of the target, people-heavy with security − none', paired('halo', 'churn', 'forcedOutMovers', END));
    report('of them into the ring, people-heavy with security − none', paired('halo', 'churn', 'forcedToRing', END));
    report('target poverty, people-heavy with security − none', paired('halo', 'target', 'povertyRate', END));
    expect(halo.hi).toBeLessThan(0);
    expect(contrast.hi).toBeLessThan(0);
  });
});
