/**
 * The comparison's tables: outputs against outcomes (the scorecard), the NDC-style evaluation,
 * the churn decomposition (people or place) and where the households that left the target went.
 * All figures come from the aggregation `regensim compare` uses (workers/compare-plan.ts) or from
 * the engine's move log; nothing is computed twice in a different way.
 */
import type { PolicyKind } from '../sim/config/schema.ts';
import type { Displacement } from '../sim/inspect.ts';
import { INDICATORS } from '../sim/metrics/evaluation.ts';
import type { Comparison } from '../workers/compare-plan.ts';
import { el, table } from './dom.ts';
import { POLICY_LABELS, fmt, fmtDiff, label } from './format.ts';

const OUTPUTS = ['jobsCreated', 'jobsRelocated', 'floorspace', 'homesBuilt', 'homesRefurbished', 'privateInvestment', 'brownfield'] as const;
const OUTCOMES: [string, string][] = [
  ['target.povertyRate', 'target poverty'],
  ['target.unemploymentRate', 'target unemployment'],
  ['target.outOfWorkRate', 'target out of work (unemployed or sick)'],
  ['originalResidents.povertyRate', "original residents' poverty"],
  ['originalResidents.unemploymentRate', "original residents' unemployment"],
  ['originalResidents.outOfWorkRate', "original residents out of work"],
  // People or place for skills and schooling: the children of the people the programme started with,
  // wherever they live now, beside the children who live in its target now (a hub's gains can
  // stay with its catchment while its people move away).
  ['originalResidents.meanSkill', "original residents' skill (0–1)"],
  ['originalResidents.childAttainment', "original residents' children's attainment (0–1)"],
  ['target.childAttainment', "children's attainment in the target (0–1)"],
  ['ring.povertyRate', 'ring poverty'],
  // Why the ring's poverty moved: its residents of the start who still live there, or who came and went.
  ['churn.ringPeopleChange', '… of it among its residents of the start'],
  ['churn.ringCompositionChange', '… of it from who moved in and out'],
  ['ring.firms', 'ring firms'],
  ['city.povertyRate', 'city poverty'],
  ['city.forcedMoves', 'city forced moves'],
];

const metricOf = (key: string) => key.slice(key.indexOf('.') + 1);

export function scorecard(c: Comparison, kinds: PolicyKind[]): HTMLElement {
  const head = ['', ...kinds.map((k) => POLICY_LABELS[k])];
  const outRows = OUTPUTS.map((name) => [
    label(name),
    ...kinds.map((k) => {
      const o = c.policies[k]?.final.outputs ?? {};
      const v = o[name];
      const target = o[`target.${name}`];
      const completion = o[`completion.${name}`];
      return target !== undefined ? `${fmt(name, v)} of ${fmt(name, target)} (${Math.round(completion ?? 0)}%)` : fmt(name, v);
    }),
  ]);
  outRows.push([
    'spending (physical share)',
    ...kinds.map((k) => {
      const s = c.policies[k]?.final.spending;
      return s ? `${fmt('total', s.total)} (${Math.round((s.physicalShare ?? 0) * 100)}% physical)` : '–';
    }),
  ]);
  const outcomeRows = OUTCOMES.map(([key, name]) => [
    name,
    ...kinds.map((k) => {
      const iv = c.policies[k]?.vsNone[key];
      if (!iv) return '–';
      const m = metricOf(key);
      return c.seeds.length > 1 ? `${fmtDiff(m, iv.mean)} (${fmtDiff(m, iv.lo)} to ${fmtDiff(m, iv.hi)})` : fmtDiff(m, iv.mean);
    }),
  ]);
  return el(
    'div',
    {},
    table('Outputs: what the programme reports (targets and completion where it sets them)', head, outRows),
    table('Outcomes: the difference the policy made, against the same-seed run without it', head, outcomeRows),
  );
}

export function evaluationTable(c: Comparison, kinds: PolicyKind[]): HTMLElement {
  const one = c.seeds.length < 2;
  const summary = el(
    'ul',
    { class: 'verdicts' },
    ...kinds.map((k) => {
      const e = c.policies[k]?.evaluation;
      const text = !e
        ? `${POLICY_LABELS[k]}: no target, not evaluated`
        : one
          ? `${POLICY_LABELS[k]}: better on ${e.better} of ${e.total} (significance needs two or more seeds)`
          : `${POLICY_LABELS[k]}: better on ${e.better} of ${e.total}, ${e.significant} significant`;
      return el('li', { 'data-testid': `verdict-${k}` }, text);
    }),
  );
  const rows = INDICATORS.map((ind) => [
    `${label(ind.name)} (${ind.domain})`,
    ...kinds.map((k) => {
      const r = c.policies[k]?.evaluation?.indicators.find((x) => x.name === ind.name);
      if (!r) return '–';
      const mark = r.significant && !one ? ' ★ better, significant' : r.better ? ' ✓ better' : '';
      const per = ind.name === 'jobs' || ind.name === 'firms' || ind.name === 'forcedMoves' ? ' per household' : '';
      const iv = one ? '' : ` (${fmtDiff(ind.name, r.lo)} to ${fmtDiff(ind.name, r.hi)})`;
      return `${fmtDiff(ind.name, r.did)}${per}${iv}${mark}`;
    }),
  ]);
  return el(
    'div',
    {},
    summary,
    table(
      'Difference in differences, programme start to end: change in the target minus change in its matched comparison areas',
      ['indicator', ...kinds.map((k) => POLICY_LABELS[k])],
      rows,
    ),
  );
}

/** A horizontal bar for a signed share, in a fixed-width track (text beside it carries the value). */
function bar(v: number, scale: number, colour: string): HTMLElement {
  const width = Math.min(100, (Math.abs(v) / (scale || 1)) * 100);
  const b = el('span', { class: 'bar', 'aria-hidden': 'true' });
  b.style.width = `${width / 2}%`;
  b.style.background = colour;
  b.style.marginLeft = v < 0 ? `${50 - width / 2}%` : '50%';
  return el('span', { class: 'bar-track' }, b);
}

export function churnTable(c: Comparison, kinds: PolicyKind[]): HTMLElement {
  const rows: (string | Node)[][] = [];
  let scale = 0;
  for (const k of kinds) {
    const ch = c.policies[k]?.final.churn;
    if (ch) scale = Math.max(scale, Math.abs(ch.peopleChange ?? 0), Math.abs(ch.compositionChange ?? 0));
  }
  for (const k of kinds) {
    const ch = c.policies[k]?.final.churn;
    const st = c.policies[k]?.final.stayers;
    const lv = c.policies[k]?.final.leavers;
    if (!ch) {
      rows.push([POLICY_LABELS[k], '–', '–', '–', '–', '–']);
      continue;
    }
    rows.push([
      POLICY_LABELS[k],
      fmtDiff('povertyRate', ch.targetPovertyChange),
      el('span', {}, bar(ch.peopleChange ?? 0, scale, '#0072B2'), ` ${fmtDiff('povertyRate', ch.peopleChange)}`),
      el('span', {}, bar(ch.compositionChange ?? 0, scale, '#E69F00'), ` ${fmtDiff('povertyRate', ch.compositionChange)}`),
      `${fmt('exitedPovertyLeftShare', ch.exitedPovertyLeftShare)} of ${fmt('n', ch.exitedPoverty)}`,
      `${fmt('households', st?.households)} stay / ${fmt('households', lv?.households)} left; in-movers ${fmt('inMoverPovertyRate', ch.inMoverPovertyRate)} poor, out-movers ${fmt('outMoverPovertyRate', ch.outMoverPovertyRate)}`,
    ]);
  }
  return table(
    "Churn: the target's poverty change since the start = change among those who stayed (people) + change from who left and who came (composition)",
    ['policy', 'target poverty change', 'people (stayers)', 'composition (movers)', 'left after escaping poverty', 'original residents'],
    rows,
    'churn',
  );
}

export interface DisplacementRow {
  kind: PolicyKind;
  policy: Displacement;
  counterfactual: Displacement;
  startYear: number;
}

const share = (a: number, n: number) => (n > 0 ? `${Math.round((100 * a) / n)}%` : '–');

export function displacementView(rows: DisplacementRow[], follow: (kind: PolicyKind, id: number) => void): HTMLElement {
  const list = el('div', {});
  const dest = (d: Displacement, which: 'all' | 'forced') => {
    const o = d[which];
    const n = o.ring + o.comparison + o.rest + o.outside;
    return `${n}: ring ${o.ring} (${share(o.ring, n)}), comparison areas ${o.comparison}, rest of city ${o.rest} (${share(o.rest, n)}), left the city ${o.outside} (${share(o.outside, n)})`;
  };
  const tableRows = rows.map((r) => [
    POLICY_LABELS[r.kind],
    dest(r.policy, 'forced'),
    dest(r.counterfactual, 'forced'),
    dest(r.policy, 'all'),
    dest(r.counterfactual, 'all'),
  ]);
  list.append(
    table(
      'Households that moved out of the target since the programme started, by destination: forced (rent or clearance) and all moves, with the same-seed run without the policy',
      ['policy', 'forced out — with policy', 'forced out — without', 'all who moved out — with policy', 'all — without'],
      tableRows,
    ),
  );
  for (const r of rows) {
    const f = r.policy.forced;
    const n = f.ring + f.comparison + f.rest + f.outside;
    const reasons = Object.entries(r.policy.byReason)
      .sort((a, b) => b[1] - a[1])
      .map(([why, count]) => `${count} ${why === 'rent' ? 'priced out by rent' : why === 'demolition' ? 'cleared by demolition' : why === 'left' ? 'left the city' : why}`)
      .join(', ');
    list.append(
      el(
        'p',
        {},
        `${POLICY_LABELS[r.kind]}: since year ${r.startYear}, ${r.policy.total} households moved out of the target (${reasons || 'none'}); ` +
          `${r.policy.poor} of them were poor when they moved. ${n} were forced out (without the policy: ` +
          `${r.counterfactual.forced.ring + r.counterfactual.forced.comparison + r.counterfactual.forced.rest + r.counterfactual.forced.outside}).`,
      ),
    );
    if (r.policy.forcedIds.length) {
      const id = `follow-forced-${r.kind}`;
      const sel = el('select', { id }, ...r.policy.forcedIds.map((h) => el('option', { value: String(h) }, `household #${h}`)));
      const go = el('button', { type: 'button', 'data-testid': `follow-forced-${r.kind}` }, 'Follow it');
      go.addEventListener('click', () => follow(r.kind, Number(sel.value)));
      list.append(el('p', { class: 'row' }, el('label', { for: id }, `Follow a household forced out (${POLICY_LABELS[r.kind]}):`), sel, go));
    }
  }
  return list;
}
