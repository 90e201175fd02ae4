/**
 * The browser lab: controls, the comparison's runs (in Web Workers, ui/engine.ts), maps, series,
 * tables, following a household, sharing and tours.
 *
 * State: everything that decides a run is a `LabState` (ui/state.ts), changed only through immer's
 * `produce` and mirrored in the URL; a run is planned with the same function as `regensim
 * compare` (workers/compare-plan.ts) and aggregated with its `aggregate`, so the lab's numbers are
 * the command line's numbers.
 *
 * The main thread only draws, and a little at a time (issue #6: no task over 50 ms while
 * running): maps and charts are updated in place over several frames (`frame`), the tables one
 * per frame, and the heavy reading of whole results (aggregation inputs, the fingerprint) happens
 * in the workers.
 *
 * Test hooks (stable): `document.body.dataset.status` is loading, ready, running, done or error;
 * `[data-testid=run]`, `policy-<kind>`, `scenario`, `map`, `error`.
 */
import { produce } from 'immer';
import { NOTE_SECTIONS, POLICY_KINDS, type PolicyKind, type ScenarioConfig } from '../sim/config/schema.ts';
import type { Displacement, HouseholdHistory } from '../sim/inspect.ts';
import type { Snapshot, YearFrame } from '../sim/types.ts';
import { aggregate, configErrorOf, planComparison, type ComparePlan, type Comparison } from '../workers/compare-plan.ts';
import { createCharts, type ChartsView, type Line } from './charts.ts';
import { el } from './dom.ts';
import { createEngine, type Engine } from './engine.ts';
import { download, downloadPng, downloadSvg, seriesCsv } from './export.ts';
import { POLICY_COLOURS, POLICY_LABELS, POLICY_NOTES, fmt } from './format.ts';
import { cellShapes } from './geometry.ts';
import { createMapView, type MapView, type PanelData } from './map.ts';
import { BUNDLED, bundled, parseScenarioText } from './scenarios.ts';
import { DEFAULT_STATE, buildConfig, decodeState, encodeState, scenarioFile, seedsOf, type LabState } from './state.ts';
import { churnTable, displacementView, evaluationTable, scorecard, type DisplacementRow } from './tables.ts';
import { TOURS, type Tour } from './tours.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

type Status = 'loading' | 'ready' | 'running' | 'done' | 'error';
const setStatus = (s: Status) => {
  document.body.dataset.status = s;
};

// ---------------------------------------------------------------------------------------------
// state

let state: LabState = DEFAULT_STATE;
let config: ScenarioConfig;

function showError(message: string | null): void {
  const e = $('error');
  e.textContent = message ?? '';
  e.hidden = !message;
}

function showNotice(message: string | null): void {
  const e = $('notice');
  e.textContent = message ?? '';
  e.hidden = !message;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Applies a change to the state if the resulting configuration is valid; otherwise shows the
 * problem and keeps the previous state. Returns whether it was applied.
 */
function update(recipe: (draft: LabState) => void): boolean {
  const next = produce(state, recipe);
  if (next === state) return true;
  let nextConfig: ScenarioConfig;
  try {
    nextConfig = buildConfig(next);
  } catch (err) {
    showError(`${describe(err)} The previous settings are kept.`);
    renderControls();
    return false;
  }
  showError(null);
  const decisive = runKey(next) !== runKey(state);
  // New settings have not been run: the link must not claim a year of them. A run going on with
  // the old settings pauses.
  state = decisive ? produce(next, (d) => void (d.year = 0)) : next;
  config = nextConfig;
  if (decisive) {
    pauseRequested = busy;
    markStale();
  }
  renderControls();
  writeUrl();
  return true;
}

function writeUrl(): void {
  history.replaceState(null, '', encodeState(state));
}

// ---------------------------------------------------------------------------------------------
// runs

interface Panel {
  /** The session whose maps the panel draws (an index into the plan's tasks). */
  task: number;
  /** The result the panel stands for (an index into the plan's outputs). */
  output: number;
  title: string;
  subtitle: string;
  accent: string;
  kind: PolicyKind;
  role: 'policy' | 'counterfactual';
  /** For a policy panel: the panel index of its counterfactual, and the output of that counterfactual. */
  counter: number;
  counterOutput: number;
}

interface Run {
  plan: ComparePlan;
  config: ScenarioConfig;
  kinds: PolicyKind[];
  seeds: number[];
  years: number;
  frames: YearFrame[][];
  snaps: Snapshot[];
  prev: (Snapshot | null)[];
  year: number;
  panels: Panel[];
  comparison: Comparison | null;
  displacement: Map<number, Displacement>;
  key: string;
}

let engine: Engine;
let run: Run | null = null;
let stale = true;
let busy = false;
let pauseRequested = false;
let mapView: MapView | null = null;
let mapShapesKey = '';
let selected: { panel: number; cell: number } | null = null;
let followed: { panel: number; history: HouseholdHistory } | null = null;

const runKey = (s: LabState) => JSON.stringify({ ...s, year: 0 });

function markStale(): void {
  stale = !run || run.key !== runKey(state);
  $('progress').textContent = stale && run ? 'Settings changed: Run starts the comparison again.' : $('progress').textContent;
}

const panelName = (p: Panel) => (p.role === 'policy' ? p.title : `${p.title} (${p.subtitle})`);

/**
 * Panels: each policy's run, then each counterfactual run not already shown, for the first seed.
 * One run of "none" follows the targets of every rule (workers/compare-plan.ts), so it is one panel.
 */
function panelsOf(plan: ComparePlan, kinds: PolicyKind[]): Panel[] {
  const panels: Panel[] = [];
  const byTask = new Map<number, number>();
  const taskOf = (o: number) => plan.outputs[o]!.task;
  for (const k of kinds) {
    const o = plan.runs[k]!.policy[0]!;
    byTask.set(taskOf(o), panels.length);
    panels.push({ task: taskOf(o), output: o, title: POLICY_LABELS[k], subtitle: 'with the policy', accent: POLICY_COLOURS[k], kind: k, role: 'policy', counter: -1, counterOutput: -1 });
  }
  for (const k of kinds) {
    const o = plan.runs[k]!.counterfactual[0]!;
    if (!byTask.has(taskOf(o))) {
      byTask.set(taskOf(o), panels.length);
      panels.push({ task: taskOf(o), output: o, title: 'no policy', subtitle: 'same city, same seed', accent: '#555555', kind: 'none', role: 'counterfactual', counter: -1, counterOutput: -1 });
    }
  }
  for (const p of panels) {
    if (p.role !== 'policy') continue;
    p.counterOutput = plan.runs[p.kind]!.counterfactual[0]!;
    p.counter = byTask.get(taskOf(p.counterOutput))!;
  }
  return panels;
}

async function prepare(): Promise<void> {
  if (!state.policies.length) throw new Error('choose at least one policy.');
  const cfg = buildConfig(state);
  const seeds = seedsOf(state);
  const kinds = [...state.policies];
  const plan = planComparison(cfg, kinds, seeds, state.years);
  $('progress').textContent = `Starting ${plan.tasks.length} runs…`;
  await engine.open(plan.tasks, plan.outputs);
  const results = await engine.results();
  const snaps = await engine.snapshots();
  run = {
    plan,
    config: cfg,
    kinds,
    seeds,
    years: state.years,
    frames: results.map((r) => [...r.series]),
    snaps,
    prev: snaps.map(() => null),
    year: 0,
    panels: panelsOf(plan, kinds),
    comparison: null,
    displacement: new Map(),
    key: runKey(state),
  };
  stale = false;
  selected = null;
  followed = null;
  $('follow-list').replaceChildren();
  $('follow-history').replaceChildren();
  const geo = await engine.geography(0);
  const shapesKey = `${geo.n}:${geo.width}x${geo.height}:${geo.x[0]},${geo.y[geo.n - 1]}`;
  if (!mapView || shapesKey !== mapShapesKey) {
    mapShapesKey = shapesKey;
    mapView = createMapView($('map-box'), cellShapes(geo), pickCell);
  }
  $<HTMLInputElement>('follow-cell').max = String(geo.n - 1);
  renderFollowPanels();
  clearTables();
  scheduleRender();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Steps the comparison to `target` (or until paused), rendering as it goes. */
async function advance(target: number): Promise<void> {
  if (busy) return;
  busy = true;
  pauseRequested = false;
  setStatus('running');
  showNotice(null);
  renderButtons();
  try {
    if (stale || !run) await prepare();
    const r = run!;
    const started = performance.now();
    while (r.year < Math.min(target, r.years) && !pauseRequested) {
      const { frames, snapshots } = await engine.stepYear();
      r.year++;
      frames.forEach((f, i) => r.frames[i]!.push(f));
      r.prev = r.snaps;
      r.snaps = snapshots;
      if (layerNeedsDisplacement()) await fetchDisplacement();
      $('progress').textContent = `Year ${r.year} of ${r.years} — ${r.plan.tasks.length} runs, ${((performance.now() - started) / 1000).toFixed(1)} s`;
      scheduleRender();
      const delay = Number($<HTMLSelectElement>('speed').value);
      if (delay > 0) await sleep(delay);
    }
    // The link records the year reached, unless the settings changed meanwhile (they start at 0).
    if (runKey(state) === r.key) {
      state = produce(state, (d) => {
        d.year = r.year;
      });
    }
    writeUrl();
    await finishTables();
    setStatus(r.year >= r.years ? 'done' : 'ready');
    $('progress').textContent =
      r.year >= r.years
        ? `Done: ${r.years} years, ${r.plan.tasks.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s.`
        : `Paused at year ${r.year} of ${r.years}.`;
  } catch (err) {
    // A target the engine cannot draw (cells the city does not have, or without residents) is the
    // settings' fault, not the lab's.
    const settings = configErrorOf(describe(err));
    showError(settings ? `These settings cannot run: ${settings.message.replace(/\.?$/, '.')} Change them and run again.` : `The run failed: ${describe(err)}`);
    setStatus('error');
  } finally {
    busy = false;
    renderButtons();
    scheduleRender();
  }
}

async function fetchDisplacement(): Promise<void> {
  const r = run!;
  // Keyed by output: a counterfactual's displacement is out of the target of its policy's rule.
  const outputs = new Set<number>();
  for (const p of r.panels) if (p.role === 'policy') outputs.add(p.output).add(p.counterOutput);
  await Promise.all(
    [...outputs].map(async (o) => {
      r.displacement.set(o, await engine.displacement(o));
    }),
  );
}

/**
 * Resolves after the page has drawn a frame (or after 100 ms when it draws none, in a hidden tab):
 * each piece of work that follows starts a task of its own, so no task does everything at once.
 */
const nextFrame = () =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 100);
    requestAnimationFrame(() => {
      clearTimeout(t);
      setTimeout(resolve, 0);
    });
  });

/**
 * The tables, one per frame. The results are aggregated from their summaries (no series: the
 * aggregation reads only each run's final figures and evaluation) and fingerprinted in the
 * workers, so the page neither receives nor serialises whole results.
 */
async function finishTables(): Promise<void> {
  const r = run!;
  const summaries = await engine.summaries();
  r.comparison = aggregate(r.config, r.plan, summaries, r.seeds, r.year);
  await fetchDisplacement();
  const c = r.comparison;
  await nextFrame();
  $('scorecard').replaceChildren(scorecard(c, r.kinds));
  await nextFrame();
  $('evaluation').replaceChildren(evaluationTable(c, r.kinds));
  await nextFrame();
  $('churn').replaceChildren(churnTable(c, r.kinds));
  await nextFrame();
  const rows: DisplacementRow[] = r.panels
    .filter((p) => p.role === 'policy')
    .map((p) => ({
      kind: p.kind,
      policy: r.displacement.get(p.output)!,
      counterfactual: r.displacement.get(p.counterOutput)!,
      startYear: r.config.policy.startYear,
    }));
  const showOnMap = el('button', { type: 'button', 'data-testid': 'show-displaced' }, 'Show their destinations on the maps');
  showOnMap.addEventListener('click', async () => {
    $<HTMLSelectElement>('layer').value = 'forcedTo';
    $<HTMLInputElement>('diff').checked = false;
    scheduleRender();
    $('sec-map').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $<HTMLSelectElement>('layer').focus();
  });
  $('displaced').replaceChildren(
    ...(r.year > r.config.policy.startYear
      ? [
          displacementView(rows, (kind, id) => {
            const panel = r.panels.findIndex((p) => p.role === 'policy' && p.kind === kind);
            $<HTMLSelectElement>('follow-panel').value = String(panel);
            $('follow-list').replaceChildren();
            void showHistory(panel, id).then(() => $('sec-follow').scrollIntoView({ behavior: 'smooth', block: 'start' }));
          }),
          showOnMap,
        ]
      : [el('p', {}, `The programme starts in year ${r.config.policy.startYear}: run past it to see who moved out of the target.`)]),
  );
  // FNV-1a of the runs' JSON: equal fingerprints mean equal results, to the last digit.
  $('fingerprint').textContent = await engine.fingerprint();
  scheduleRender();
}

function clearTables(): void {
  for (const id of ['scorecard', 'evaluation', 'churn', 'displaced']) $(id).replaceChildren(el('p', { class: 'hint' }, 'Run the comparison to fill this in.'));
  $('fingerprint').textContent = '–';
}

// ---------------------------------------------------------------------------------------------
// map and series

interface LayerDef {
  id: string;
  label: string;
  metric: string;
  /** The layer for a panel: its session's map layers, or (displacement) its output's. */
  values(r: Run, p: Pick<Panel, 'task' | 'output'>): ArrayLike<number> | null;
}

const perYear = (name: string) => (r: Run, { task }: Pick<Panel, 'task'>) => {
  const cur = r.snaps[task]?.layers[name];
  const prev = r.prev[task]?.layers[name];
  if (!cur) return null;
  if (!prev) return new Float32Array(cur.length);
  return cur.map((v, i) => v - prev[i]!);
};
const plain = (name: string) => (r: Run, { task }: Pick<Panel, 'task'>) => r.snaps[task]?.layers[name] ?? null;

const LAYERS: LayerDef[] = [
  { id: 'poverty', label: 'poverty rate', metric: 'povertyRate', values: plain('poverty') },
  { id: 'rent', label: 'market rent (£ a year)', metric: 'meanRent', values: plain('rent') },
  { id: 'income', label: 'mean household income (£)', metric: 'medianIncome', values: plain('income') },
  { id: 'unemployment', label: 'unemployment rate', metric: 'unemploymentRate', values: plain('unemployment') },
  { id: 'outOfWork', label: 'out of work (unemployed or sick)', metric: 'outOfWorkRate', values: plain('outOfWork') },
  { id: 'schoolQuality', label: 'school quality', metric: 'index', values: plain('schoolQuality') },
  { id: 'environment', label: 'environment', metric: 'index', values: plain('environment') },
  { id: 'movesIn', label: 'households moving in, last year', metric: 'count', values: perYear('movesIn') },
  { id: 'movesOut', label: 'households moving out, last year', metric: 'count', values: perYear('movesOut') },
  { id: 'targetWeight', label: "programme weight (1 inside the target; a hub's catchment fades with distance)", metric: 'index', values: plain('targetWeight') },
  { id: 'displacedTo', label: 'moved out of the target: destinations', metric: 'count', values: (r, p) => r.displacement.get(p.output)?.allTo ?? null },
  { id: 'forcedTo', label: 'forced out of the target: destinations', metric: 'count', values: (r, p) => r.displacement.get(p.output)?.forcedTo ?? null },
];

const layerOf = () => LAYERS.find((l) => l.id === $<HTMLSelectElement>('layer').value) ?? LAYERS[0]!;
const layerNeedsDisplacement = () => ['displacedTo', 'forcedTo'].includes(layerOf().id);

let framePending = false;
let mapStale = false;
let seriesStale = false;
/** The maps' text alternative, written once the cells it describes are drawn. */
let mapText: { label: string; text: string } | null = null;
let charts: ChartsView | null = null;
/**
 * Charts redrawn in one frame: few enough that a frame's script, style, layout and paint stay
 * well under 50 ms on a loaded machine. Two, not four: when the programme starts, the target's and
 * the ring's charts get their axes and lines in the same few frames as the maps' outlines, and
 * four a frame made those frames the longest of the run (docs/performance.md). (The maps' cells
 * are on canvases: all panels in a frame.)
 */
const CHARTS_PER_FRAME = 2;

/**
 * Draws over the next frames. The drawing is spread so that no frame does much: the maps'
 * targets are computed in one frame, the panels whose cells' colours changed are painted in the
 * next with the text alternative, then the charts are updated in place a few at a time.
 */
function scheduleRender(): void {
  mapStale = true;
  seriesStale = true;
  requestFrame();
}

function requestFrame(): void {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(frame);
}

function frame(): void {
  framePending = false;
  if (mapStale) {
    // The maps' targets (and titles, legend, outlines); the cells follow in the next frame.
    mapStale = false;
    renderMap();
  } else if (mapView && mapView.pending > 0) {
    mapView.flush();
    // The text alternative goes with the cells it describes.
    writeMapText();
  } else if (mapText) writeMapText();
  else if (seriesStale) {
    seriesStale = false;
    renderSeries();
  } else if (charts?.pending) charts.flush(CHARTS_PER_FRAME);
  if (mapStale || seriesStale || mapText || (mapView?.pending ?? 0) > 0 || charts?.pending) requestFrame();
}

function writeMapText(): void {
  if (!mapText || !mapView) return;
  mapView.element.setAttribute('aria-label', mapText.label);
  $('map-text').textContent = mapText.text;
  mapText = null;
}

function renderMap(): void {
  const r = run;
  if (!r || !mapView) return;
  const layer = layerOf();
  const diff = $<HTMLInputElement>('diff').checked;
  const shown = diff ? r.panels.filter((p) => p.role === 'policy') : r.panels;
  const panels: PanelData[] = shown.map((p) => {
    let values = layer.values(r, p);
    if (diff && values) {
      // The counterfactual with this policy's target (a run of none follows every rule's).
      const base = layer.values(r, { task: r.panels[p.counter]!.task, output: p.counterOutput });
      if (base) {
        const v = values;
        values = Float32Array.from(v, (x, i) => x - base[i]!);
      }
    }
    const snap = r.snaps[p.task];
    const region = snap?.layers.region;
    const panelIndex = r.panels.indexOf(p);
    return {
      title: diff ? `${p.title} − no policy` : p.title,
      subtitle: diff ? 'difference from the same run without it' : p.subtitle,
      accent: p.accent,
      values,
      region: region && region.some((v) => v === 1) ? region : null,
      facilities: snap?.facilities,
      ...(followed && followed.panel === panelIndex ? { path: followPath(followed.history) } : {}),
    };
  });
  const metric = layer.metric;
  mapView.update({
    panels,
    layerLabel: `${diff ? 'difference in ' : ''}${layer.label}`,
    year: r.year,
    diverging: diff,
    format: (v) => (metric === 'index' ? v.toFixed(2) : metric === 'count' ? (Math.abs(v) < 0.5 ? '0' : fmt('n', Math.round(v))) : fmt(metric, v)),
    selected: selected && !diff ? selected : null,
  });
  mapText = {
    label: `Maps of ${layer.label} in year ${r.year}, one per run: ${shown.map(panelName).join(', ')}. The target is outlined, its ring dashed.`,
    text: mapSummary(r, shown, layer, diff),
  };
}

/** The text alternative of the maps: the layer's mean in the target and in the city, per run. */
function mapSummary(r: Run, shown: Panel[], layer: LayerDef, diff: boolean): string {
  const parts = shown.map((p) => {
    const v = layer.values(r, p);
    const region = r.snaps[p.task]?.layers.region;
    if (!v) return `${panelName(p)}: no data`;
    let all = 0, target = 0, nt = 0;
    for (let i = 0; i < v.length; i++) {
      all += v[i]!;
      if (region && region[i] === 1) {
        target += v[i]!;
        nt++;
      }
    }
    const f = (x: number) => (layer.metric === 'index' ? x.toFixed(2) : layer.metric === 'count' ? x.toFixed(1) : fmt(layer.metric, x));
    return `${panelName(p)}: mean ${f(all / v.length)} over the city${nt ? `, ${f(target / nt)} in the target` : ''}`;
  });
  return `${diff ? 'Differences from the run without the policy. ' : ''}Year ${r.year}, ${layer.label} per neighbourhood — ${parts.join('; ')}.`;
}

function renderSeries(): void {
  const r = run;
  if (!r) return;
  const lines: Line[] = [];
  for (const k of r.kinds) {
    const own = r.plan.runs[k]!;
    lines.push({ name: `${POLICY_LABELS[k]} (without it: dashed)`, colour: POLICY_COLOURS[k], dashed: true, frames: r.frames[own.counterfactual[0]!]! });
    lines.push({ name: POLICY_LABELS[k], colour: POLICY_COLOURS[k], dashed: false, frames: r.frames[own.policy[0]!]! });
  }
  charts ??= createCharts($('series'), $('series-text'));
  charts.set(lines, r.years);
  charts.flush(CHARTS_PER_FRAME);
}

// ---------------------------------------------------------------------------------------------
// following a household

const REASONS: Record<string, string> = {
  voluntary: 'chose to move: a better home or neighbourhood it could afford, or a life event (a birth, a new job)',
  rent: 'forced out by rent: its private rent stayed above the share of income it can bear',
  demolition: 'its home was demolished',
  formed: 'a new household: a grown child left home',
  arrived: 'arrived in the city',
  left: 'left the city',
  dissolved: 'dissolved (death, or joined another household)',
};
const REGION_NAMES = ['rest of the city', 'target', 'ring', 'comparison area'];

/** Years before 0 are the city's settling-in (spin-up), before any programme could act. */
const yearText = (y: number) => (y < 0 ? `${-y} year${y === -1 ? '' : 's'} before year 0 (settling in)` : `Year ${y}`);

function followPath(h: HouseholdHistory): number[] {
  const path: number[] = [];
  for (const m of h.moves) {
    if (m.from >= 0 && path.at(-1) !== m.from) path.push(m.from);
    if (m.to >= 0) path.push(m.to);
  }
  return path;
}

function renderFollowPanels(): void {
  const sel = $<HTMLSelectElement>('follow-panel');
  const r = run;
  sel.replaceChildren(...(r?.panels ?? []).map((p, i) => el('option', { value: String(i) }, `${p.title} (${p.subtitle})`)));
  if (selected) sel.value = String(selected.panel);
}

function pickCell(panel: number, cell: number): void {
  if ($<HTMLInputElement>('diff').checked && run) {
    // In difference mode only policy panels are shown, in the same order.
    panel = run.panels.indexOf(run.panels.filter((p) => p.role === 'policy')[panel]!);
  }
  $<HTMLSelectElement>('follow-panel').value = String(panel);
  $<HTMLInputElement>('follow-cell').value = String(cell);
  void showHouseholds(panel, cell);
}

const where = (r: Run, task: number, cell: number) =>
  cell < 0 ? 'outside the city' : `neighbourhood ${cell} (${REGION_NAMES[r.snaps[task]?.layers.region?.[cell] ?? 0] ?? ''})`;

async function showHouseholds(panel: number, cell: number): Promise<void> {
  const r = run;
  if (!r) return;
  const p = r.panels[panel];
  if (!p || !Number.isInteger(cell) || cell < 0 || cell >= (r.snaps[0]?.n ?? 0)) {
    showError(`Neighbourhood must be a number from 0 to ${(r.snaps[0]?.n ?? 1) - 1}.`);
    return;
  }
  showError(null);
  selected = { panel, cell };
  scheduleRender();
  const list = await engine.households(p.task, cell);
  const box = $('follow-list');
  box.replaceChildren(
    el('p', {}, `${list.length} households in ${where(r, p.task, cell)}, year ${r.year}, in the run "${panelName(p)}":`),
    ...list.map((h) => {
      const b = el(
        'button',
        { type: 'button', 'aria-pressed': 'false' },
        `#${h.id}: £${Math.round(h.income).toLocaleString('en-GB')}${h.poor ? ', poor' : ''}, ${h.tenure}, ${h.work}, here since ${h.movedInYear < 0 ? 'before year 0' : `year ${h.movedInYear}`}${h.originalResident ? ', original resident' : ''}${h.grownChild ? ', grown child of an original resident' : ''}`,
      );
      b.addEventListener('click', () => {
        for (const o of box.querySelectorAll('button')) o.setAttribute('aria-pressed', 'false');
        b.setAttribute('aria-pressed', 'true');
        void showHistory(panel, h.id);
      });
      return b;
    }),
  );
}

async function showHistory(panel: number, id: number): Promise<void> {
  const r = run!;
  const p = r.panels[panel]!;
  const h = await engine.history(p.task, id);
  followed = { panel, history: h };
  const now = h.now;
  $('follow-history').replaceChildren(
    el('h3', {}, `Household #${id}`),
    el(
      'p',
      {},
      now
        ? `Now: ${where(r, p.task, now.cell)}, head aged ${now.age}, ${now.children} children, income £${Math.round(now.income).toLocaleString('en-GB')}${now.poor ? ' (poor)' : ''}, ${now.tenure}, ${now.work}, health ${now.health.toFixed(2)}.`
        : 'No longer in the city.',
    ),
    h.moves.length
      ? el(
          'ol',
          {},
          ...h.moves.map((m) =>
            el('li', {}, `${yearText(m.year)}: ${m.from >= 0 ? `from ${where(r, p.task, m.from)} ` : ''}${m.to >= 0 ? `to ${where(r, p.task, m.to)}` : ''} — ${REASONS[m.reason] ?? m.reason}${m.poor ? ' (poor at the time)' : ''}.`),
          ),
        )
      : el('p', {}, 'It has not moved since the run began.'),
  );
  scheduleRender();
}

// ---------------------------------------------------------------------------------------------
// controls

interface Param {
  path: string;
  label: string;
  kind: 'number' | 'range' | 'select';
  min?: number;
  max?: number;
  step?: number;
  options?: [string, string][];
  format?: (v: number) => string;
}

const pct = (v: number) => `${Math.round(v * 100)}%`;
const PARAMS: Param[] = [
  { path: 'policy.budgetPerYear', label: 'Budget per year (£)', kind: 'number', min: 100000, max: 100000000, step: 500000 },
  { path: 'policy.durationYears', label: 'Programme length (years)', kind: 'number', min: 1, max: 40, step: 1 },
  { path: 'policy.startYear', label: 'Starts in year', kind: 'number', min: 0, max: 40, step: 1 },
  {
    path: 'policy.boundary',
    label: 'Boundary rule',
    kind: 'select',
    options: [
      ['', "each policy's own"],
      ['{"type":"index"}', 'most deprived areas (index, population quota)'],
      ['{"type":"index","weights":"ild1998"}', 'most deprived areas by the 1998 index'],
      ['{"type":"hub","resource":"auto"}', "a school hub's catchment (soft)"],
    ],
  },
  { path: 'policy.tenureSecurity', label: 'Tenure security for sitting tenants (place-based, hub-based, integrated)', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.performancePressure', label: 'Place-based: pressure to show outputs', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.mix.physical', label: 'Place-based: physical works', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.mix.incentives', label: 'Place-based: firm incentives', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.mix.programmes', label: 'Place-based: area programmes', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.adultEducation', label: 'Hub: adult education', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.familySupport', label: 'Hub: family support', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.employerPipeline', label: 'Hub: employer pipeline', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.community', label: 'Hub: community activity', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.friction', label: "Hub friction (the school's own targets)", kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.hub.coverage', label: 'Hub: departments brought in', kind: 'range', min: 0, max: 1, step: 0.05, format: pct },
  { path: 'policy.people.transfer', label: 'People-based: yearly transfer (£)', kind: 'number', min: 0, max: 20000, step: 250 },
  {
    path: 'policy.people.reach',
    label: 'People-based: who may claim',
    kind: 'select',
    options: [
      ['residents', "the target's residents, wherever they move"],
      ['city', 'every eligible household'],
    ],
  },
  {
    // The poverty trap a means test can set (docs/ODD.md §6.5): the city is calibrated with the cliff.
    path: 'economy.allowanceTaper',
    label: 'Housing allowance over the means-test line',
    kind: 'select',
    options: [
      ['', 'stops at once: a cliff (the calibrated default)'],
      ['0.65', 'withdrawn 65p a pound (Housing Benefit)'],
      ['0.55', 'withdrawn 55p a pound (Universal Credit)'],
    ],
  },
  { path: 'mobility.rentBurdenThreshold', label: 'Rent share of income that forces a move', kind: 'range', min: 0.2, max: 1, step: 0.05, format: pct },
  { path: 'mobility.moveCost', label: 'Friction of moving', kind: 'range', min: 0, max: 4, step: 0.1, format: (v) => v.toFixed(1) },
  { path: 'city.width', label: 'City width (cells)', kind: 'number', min: 4, max: 200, step: 1 },
  { path: 'city.height', label: 'City height (cells)', kind: 'number', min: 4, max: 200, step: 1 },
  { path: 'households.count', label: 'Households', kind: 'number', min: 100, max: 1000000, step: 1000 },
];

function valueAt(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function buildStaticControls(): void {
  // Policies
  const box = $('policies');
  for (const k of POLICY_KINDS) {
    const id = `policy-${k}`;
    const input = el('input', { type: 'checkbox', id, 'data-testid': id, value: k });
    input.addEventListener('change', () => {
      update((d) => {
        const on = new Set(d.policies);
        if (input.checked) on.add(k);
        else on.delete(k);
        d.policies = POLICY_KINDS.filter((x) => on.has(x));
      });
    });
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = POLICY_COLOURS[k];
    box.append(el('div', { class: 'policy' }, input, sw, el('label', { for: id }, el('span', {}, POLICY_LABELS[k], el('small', {}, POLICY_NOTES[k])))));
  }
  // Parameters
  const params = $('params');
  for (const p of PARAMS) {
    const id = `param-${p.path.replace(/\./g, '-')}`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.kind === 'select') {
      input = el('select', { id }, ...p.options!.map(([v, t]) => el('option', { value: v }, t)));
    } else {
      input = el('input', { id, type: p.kind, min: String(p.min), max: String(p.max), step: String(p.step) });
    }
    input.dataset.path = p.path;
    const out = el('output', { for: id });
    input.addEventListener('change', () => {
      const v = input.value;
      update((d) => {
        if (v === '') delete d.sets[p.path];
        else d.sets[p.path] = v;
      });
    });
    if (p.kind === 'range') input.addEventListener('input', () => (out.textContent = p.format!(Number(input.value))));
    params.append(el('div', { class: 'param' }, el('label', { for: id }, p.label), input, out));
  }
  // Scenario
  const sel = $<HTMLSelectElement>('scenario');
  sel.addEventListener('change', () => {
    const name = sel.value;
    if (name === '__upload') return;
    update((d) => {
      d.scenario = name;
      d.upload = null;
      d.sets = {};
    });
  });
  const num = (id: string, key: 'seed' | 'seeds' | 'years') => {
    const input = $<HTMLInputElement>(id);
    input.addEventListener('change', () => {
      const v = Number(input.value);
      const [lo, hi] = key === 'seed' ? [0, Number.MAX_SAFE_INTEGER] : key === 'seeds' ? [1, 10] : [1, 60];
      if (!Number.isInteger(v) || v < lo || v > hi) {
        showError(`${key === 'seeds' ? 'Seeds' : key === 'seed' ? 'Seed' : 'Years'} must be a whole number from ${lo} to ${hi}; got "${input.value}".`);
        input.value = String(state[key]);
        return;
      }
      update((d) => {
        d[key] = v;
      });
    });
  };
  num('seed', 'seed');
  num('seeds', 'seeds');
  num('years', 'years');
  $('reset-params').addEventListener('click', () => update((d) => void (d.sets = {})));
}

function renderControls(): void {
  const sel = $<HTMLSelectElement>('scenario');
  const opts = BUNDLED.map((s) => el('option', { value: s.name }, s.name));
  if (state.upload) opts.push(el('option', { value: '__upload' }, `uploaded: ${String(state.upload.name ?? 'scenario')}`));
  sel.replaceChildren(...opts);
  sel.value = state.upload ? '__upload' : state.scenario;
  const b = state.upload ? null : bundled(state.scenario);
  const title = state.upload ? String(state.upload.title ?? '') : (b?.title ?? '');
  const raw = state.upload ?? b?.raw ?? {};
  const note = typeof raw.description === 'string' ? raw.description : '';
  $('scenario-title').textContent = title;
  // The note's sections (question, what to look at, …) follow the summary, as text only.
  const sections = typeof raw.note === 'object' && raw.note !== null ? (raw.note as Record<string, unknown>) : {};
  const parts = NOTE_SECTIONS.flatMap(([key, heading]) =>
    typeof sections[key] === 'string' && sections[key] ? [el('h4', {}, heading), el('p', {}, sections[key] as string)] : [],
  );
  $('scenario-note').replaceChildren(el('p', {}, note || 'This scenario has no teaching note.'), ...parts);
  for (const k of POLICY_KINDS) $<HTMLInputElement>(`policy-${k}`).checked = state.policies.includes(k);
  $<HTMLInputElement>('seed').value = String(state.seed);
  $<HTMLInputElement>('seeds').value = String(state.seeds);
  $<HTMLInputElement>('years').value = String(state.years);
  for (const p of PARAMS) {
    const input = document.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-path="${p.path}"]`)!;
    const v = valueAt(config, p.path);
    if (p.kind === 'select') {
      input.value = p.path === 'policy.boundary' ? (state.sets[p.path] ?? (v === undefined ? '' : JSON.stringify(v))) : String(v ?? '');
      if (input.value === '' && p.path === 'policy.boundary' && v !== undefined) {
        // A scenario's own rule that is not one of the choices: show it as such.
        const o = el('option', { value: JSON.stringify(v) }, "the scenario's rule");
        input.append(o);
        input.value = o.value;
      }
    } else input.value = String(v ?? '');
    const out = input.parentElement?.querySelector('output');
    if (out && p.format) out.textContent = p.format(Number(v));
  }
  renderButtons();
}

function renderButtons(): void {
  const none = state.policies.length === 0;
  // Run plays the comparison: from the start, or on from where it was paused.
  const paused = run && !stale && run.year > 0 && run.year < run.years;
  $('run').textContent = paused ? `Continue from year ${run!.year}` : run && !stale && run.year >= run.years ? 'Run again' : 'Run comparison';
  $<HTMLButtonElement>('run').disabled = busy || none;
  $<HTMLButtonElement>('step').disabled = busy || none;
  $<HTMLButtonElement>('pause').disabled = !busy;
  $<HTMLButtonElement>('reset').disabled = busy || none;
  if (none && !busy) $('progress').textContent = 'Choose at least one policy.';
}

function wireActions(): void {
  $('run').addEventListener('click', () => {
    if (run && !stale && run.year >= run.years) stale = true; // run again from the start
    void advance(state.years);
  });
  $('pause').addEventListener('click', () => {
    pauseRequested = true;
  });
  $('step').addEventListener('click', () => {
    const from = !run || stale || run.year >= run.years ? 0 : run.year;
    if (run && run.year >= run.years) stale = true;
    void advance(from + 1);
  });
  $('reset').addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    renderButtons();
    try {
      stale = true;
      await prepare();
      state = produce(state, (d) => {
        d.year = 0;
      });
      writeUrl();
      setStatus('ready');
      $('progress').textContent = 'Reset to year 0.';
    } catch (err) {
      showError(describe(err));
    } finally {
      busy = false;
      renderButtons();
    }
  });
  const layer = $<HTMLSelectElement>('layer');
  layer.replaceChildren(...LAYERS.map((l) => el('option', { value: l.id }, l.label)));
  layer.addEventListener('change', async () => {
    if (run && layerNeedsDisplacement() && !busy) await fetchDisplacement();
    scheduleRender();
  });
  $('diff').addEventListener('change', scheduleRender);
  $('follow-go').addEventListener('click', () => {
    void showHouseholds(Number($<HTMLSelectElement>('follow-panel').value), Number($<HTMLInputElement>('follow-cell').value));
  });
  $('upload').addEventListener('change', async (ev) => {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      const raw = parseScenarioText(await file.text(), file.name);
      const recipe = (d: LabState) => {
        d.upload = raw;
        d.sets = {};
      };
      // Validated with the scenario schema before anything changes, and reported against the file.
      buildConfig(produce(state, recipe));
      update(recipe);
    } catch (err) {
      const msg = describe(err);
      showError(`${msg.startsWith(file.name) ? '' : `${file.name} — `}${msg} The previous scenario is kept.`);
    }
  });
  $('download-json').addEventListener('click', () => {
    const file = scenarioFile(state);
    download(`${String(file.name ?? 'scenario')}.json`, new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' }));
  });
  $('csv').addEventListener('click', () => {
    const r = run;
    if (!r) return;
    const runs = r.plan.outputs.map((o, i) => ({
      run: r.plan.labels[i]!,
      policy: o.tracked < 0 ? r.plan.tasks[o.task]!.config.policy.kind : 'none',
      role: Object.values(r.plan.runs).some((x) => x.policy.includes(i)) ? 'policy' : 'counterfactual',
      frames: r.frames[i]!,
    }));
    download('regensim-series.csv', new Blob([seriesCsv(runs)], { type: 'text/csv' }));
  });
  for (const span of document.querySelectorAll<HTMLElement>('.exports')) {
    const which = span.dataset.for!;
    const svg = () => (which === 'map' ? mapView?.exportSvg() : charts?.exportSvg()) ?? null;
    const b1 = el('button', { type: 'button' }, 'SVG');
    const b2 = el('button', { type: 'button' }, 'PNG');
    b1.setAttribute('aria-label', `Download the ${which === 'map' ? 'maps' : 'charts'} as SVG`);
    b2.setAttribute('aria-label', `Download the ${which === 'map' ? 'maps' : 'charts'} as PNG`);
    b1.addEventListener('click', () => {
      const s = svg();
      if (s) downloadSvg(s, `regensim-${which}`);
    });
    b2.addEventListener('click', () => {
      const s = svg();
      if (s) downloadPng(s, `regensim-${which}`).catch((err: unknown) => showError(describe(err)));
    });
    span.append(b1, ' ', b2);
  }
  $('present').addEventListener('click', (ev) => {
    const on = document.body.classList.toggle('present');
    (ev.currentTarget as HTMLElement).setAttribute('aria-pressed', String(on));
  });
  $('share').addEventListener('click', async () => {
    writeUrl();
    try {
      await navigator.clipboard.writeText(location.href);
      showNotice('Link copied: it opens this comparison at this year.');
    } catch {
      showNotice(`Link to this comparison: ${location.href}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// tours

const SIZE_PATHS = ['city.width', 'city.height', 'households.count'];

function startTour(tour: Tour): void {
  const setup = tour.setup;
  const own = setup.scenarios.find((n) => bundled(n));
  // The size of city the student chose is kept: a small city answers a tour's question faster.
  const size = Object.fromEntries(Object.entries(state.sets).filter(([k]) => SIZE_PATHS.includes(k)));
  const applied = update((d) => {
    d.upload = null;
    d.scenario = own ?? 'baseline';
    d.sets = own ? { ...size } : { ...setup.sets, ...size };
    d.policies = own ? [...(setup.withScenario ?? setup.policies)] : [...setup.policies];
    d.years = setup.years;
    d.seeds = 1;
  });
  if (!applied) return;
  let step = 0;
  let prediction = '';
  const box = $('tour');
  box.hidden = false;
  const show = () => {
    const s = tour.steps[step]!;
    for (const h of document.querySelectorAll('.highlight')) h.classList.remove('highlight');
    const parts: (Node | string)[] = [el('h2', {}, `${tour.title} — ${step + 1}/${tour.steps.length}: ${s.title}`), el('p', {}, s.text)];
    if (s.predict) {
      const fs = el('fieldset', {}, el('legend', {}, s.predict.question));
      s.predict.options.forEach((o, i) => {
        const id = `predict-${i}`;
        const r = el('input', { type: 'radio', name: 'predict', id, value: o });
        if (prediction === o) r.checked = true;
        r.addEventListener('change', () => (prediction = o));
        fs.append(el('label', { for: id }, r, ` ${o}`), ' ');
      });
      parts.push(fs);
    }
    if (s.look) {
      const target = $(s.look);
      target.classList.add('highlight');
      target.scrollIntoView({ behavior: 'smooth', block: 'start' });
      if (prediction) parts.push(el('p', {}, `You predicted: ${prediction}. Does the evidence agree?`));
    }
    const back = el('button', { type: 'button' }, 'Back');
    back.disabled = step === 0;
    back.addEventListener('click', () => {
      step--;
      show();
    });
    const last = step === tour.steps.length - 1;
    const next = el('button', { type: 'button', class: 'primary' }, s.run ? 'Run it' : last ? 'Finish' : 'Next');
    next.addEventListener('click', () => {
      if (s.predict && !prediction) {
        showNotice('Make a prediction first: which do you expect?');
        return;
      }
      showNotice(null);
      if (s.run) void advance(state.years);
      if (last) {
        box.hidden = true;
        for (const h of document.querySelectorAll('.highlight')) h.classList.remove('highlight');
        return;
      }
      step++;
      show();
    });
    const close = el('button', { type: 'button' }, 'Close tour');
    close.addEventListener('click', () => {
      box.hidden = true;
      for (const h of document.querySelectorAll('.highlight')) h.classList.remove('highlight');
    });
    box.replaceChildren(...parts, el('div', { class: 'buttons' }, back, next, close));
    next.focus();
  };
  show();
}

function wireTours(): void {
  const sel = $<HTMLSelectElement>('tour-picker');
  for (const t of TOURS) sel.append(el('option', { value: t.id }, t.title));
  sel.addEventListener('change', () => {
    const t = TOURS.find((x) => x.id === sel.value);
    sel.value = '';
    if (t && !busy) startTour(t);
  });
}

// ---------------------------------------------------------------------------------------------
// boot

async function boot(): Promise<void> {
  setStatus('loading');
  let fromUrl = false;
  try {
    state = decodeState(location.search);
    fromUrl = location.search.length > 1;
  } catch (err) {
    showError(`${describe(err)} The lab opened with its default comparison instead.`);
    state = DEFAULT_STATE;
  }
  config = buildConfig(state);
  buildStaticControls();
  wireActions();
  wireTours();
  renderControls();
  clearTables();
  engine = createEngine({
    onCrash: (message) => showNotice(message),
  });
  // For tests and for the curious: the engine, the current run and where a map cell is drawn
  // (the cells are on canvases: a test clicks or reads a cell's pixel there), read-only.
  Object.assign(window, {
    regensimLab: { engine, get run() { return run; }, cellCentre: (panel: number, cell: number) => mapView?.cellCentre(panel, cell) ?? null },
  });
  const target = state.year;
  if (fromUrl && target > 0) {
    // A shared link: replay the same runs to the same year, as fast as possible.
    $<HTMLSelectElement>('speed').value = '0';
    await advance(target);
    return;
  }
  try {
    await prepare();
    setStatus('ready');
    $('progress').textContent = 'Ready: choose policies and press Run.';
  } catch (err) {
    showError(`The engine could not start: ${describe(err)}`);
    setStatus('error');
  }
}

void boot();
