/**
 * The browser lab in headless Chromium: it loads, runs a comparison, replays a shared link bit for
 * bit, refuses bad input with a named message while keeping its state, survives a crashed worker,
 * lets a student follow a household, and logs no console errors. Most tests use a small city
 * (10 × 10 neighbourhoods, 2,000 households) through the URL so that the suite stays short.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { FNV_BASIS, fnv1a } from '../../sim/rng.ts';
import { createApi } from '../../workers/api.ts';
import { planComparison } from '../../workers/compare-plan.ts';
import { loadScenario } from '../../workers/scenarios.ts';

const SHOTS = '.ci-out/screenshots';
mkdirSync(SHOTS, { recursive: true });

// A small city, and a three-year programme (from year 2) that fits the tests' short runs.
const SMALL = 'set=city.width%3D10&set=city.height%3D10&set=households.count%3D2000&set=policy.durationYears%3D3';
const smallUrl = (extra = '') => `/?scenario=baseline&policies=place-based,hub-based&seed=3&years=5&${SMALL}${extra}`;

/** Collects console errors and uncaught page errors for the "no console errors" assertions. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

const status = (page: Page) => page.locator('body');

async function runToDone(page: Page): Promise<string> {
  await expect(status(page)).toHaveAttribute('data-status', /ready|done/);
  await page.getByTestId('run').click();
  await expect(status(page)).toHaveAttribute('data-status', 'done', { timeout: 50_000 });
  return (await page.getByTestId('fingerprint').textContent())!;
}

/**
 * The maps as the SVG download writes them, read back in the page: per panel, each cell's fill
 * (normalised to #rrggbb by a canvas, '' when missing) and number of corners, in data-cell order.
 */
async function exportedMap(page: Page): Promise<{ fill: string; corners: number; cell: number }[][]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the maps as SVG' }).click()]);
  expect(file.suggestedFilename()).toBe('regensim-map.svg');
  const text = Buffer.concat((await (await file.createReadStream()).toArray()) as Buffer[]).toString('utf8');
  return page.evaluate((svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const norm = document.createElement('canvas').getContext('2d')!;
    return [...doc.querySelectorAll('g.panel')].map((g) =>
      [...g.querySelectorAll('path[data-cell]')].map((p) => {
        const fill = p.getAttribute('fill');
        norm.fillStyle = '#010203';
        if (fill) norm.fillStyle = fill;
        return { fill: fill ? String(norm.fillStyle) : '', corners: (p.getAttribute('d') ?? '').split('L').length, cell: Number(p.getAttribute('data-cell')) };
      }),
    );
  }, text);
}

/** The colours (#rrggbb) the live map's canvas shows at the centres of a panel's cells (via the lab's read-only hook). */
async function canvasColours(page: Page, panel: number, cells: number[]): Promise<string[]> {
  return page.evaluate(
    ([panel, cells]) => {
      const lab = (window as unknown as { regensimLab: { cellCentre(p: number, c: number): { x: number; y: number } | null } }).regensimLab;
      const canvas = document.querySelectorAll<HTMLCanvasElement>('[data-testid=map] canvas')[panel]!;
      const r = canvas.getBoundingClientRect();
      const ctx = canvas.getContext('2d')!;
      return cells.map((c) => {
        const at = lab.cellCentre(panel, c)!;
        const px = ctx.getImageData(Math.floor(((at.x - r.left) * canvas.width) / r.width), Math.floor(((at.y - r.top) * canvas.height) / r.height), 1, 1).data;
        return `#${[px[0]!, px[1]!, px[2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      });
    },
    [panel, cells] as const,
  );
}

test('loads the default city with its controls, labelled, and no console errors', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(status(page)).toHaveAttribute('data-status', 'ready', { timeout: 100_000 });
  await expect(page.getByTestId('scenario')).toHaveValue('baseline');
  await expect(page.locator('#scenario-note')).toContainText('counterfactual');
  for (const kind of ['none', 'tabula-rasa', 'place-based', 'people-based', 'hub-based', 'integrated', 'micro-regeneration']) {
    await expect(page.getByTestId(`policy-${kind}`)).toBeVisible();
  }
  await expect(page.getByTestId('policy-place-based')).toBeChecked();
  await expect(page.getByTestId('policy-hub-based')).toBeChecked();
  // One map panel per run of the first seed, 1,024 cells each: a canvas per panel on the page
  // (hidden from assistive technology: the map's container carries the label), and the download
  // has every cell as a filled path.
  const canvases = page.getByTestId('map').locator('canvas');
  expect(await canvases.count()).toBeGreaterThanOrEqual(3);
  await expect(canvases.first()).toHaveAttribute('aria-hidden', 'true');
  await expect(page.getByTestId('map')).toHaveAttribute('role', 'img');
  const exported = await exportedMap(page);
  expect(exported.length).toBe(await canvases.count());
  for (const panel of exported) {
    expect(panel.map((c) => c.cell)).toEqual([...Array(1024).keys()]);
    expect(panel.filter((c) => !/^#[0-9a-f]{6}$/.test(c.fill))).toEqual([]);
  }
  // The canvas shows each cell in the colour the download gives it, at the cell's place.
  const all = [...Array(1024).keys()];
  await expect.poll(() => canvasColours(page, 0, all)).toEqual(exported[0]!.map((c) => c.fill));
  await expect(page.getByTestId('map')).toHaveAttribute('aria-label', /^Maps of /);
  // Every control has an accessible name.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, button')]
      .filter((e) => (e as HTMLElement).offsetParent !== null)
      .filter((e) => {
        const el = e as HTMLInputElement;
        const labelled = (el.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
        return !labelled;
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(unlabelled).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/load.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('runs place-based against hub-based and shows where the displaced households went', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(smallUrl());
  await expect(status(page)).toHaveAttribute('data-status', 'ready');
  // Toggle a policy off and on again with the keyboard: the controls are keyboard operable.
  await page.getByTestId('policy-hub-based').focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('policy-hub-based')).not.toBeChecked();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('policy-hub-based')).toBeChecked();
  await runToDone(page);
  await expect(page.locator('#progress')).toContainText('Done: 5 years');
  // The maps' download: every cell of every panel a path filled with the colour the page shows
  // at that cell's centre (poverty rates: many colours, so a cell drawn in another's place shows).
  const exported = await exportedMap(page);
  expect(exported.length).toBe(3);
  const cells = [...Array(100).keys()];
  for (const [p, panel] of exported.entries()) {
    expect(panel.map((c) => c.cell)).toEqual(cells);
    expect(panel.filter((c) => !/^#[0-9a-f]{6}$/.test(c.fill))).toEqual([]);
    expect(new Set(panel.map((c) => c.fill)).size).toBeGreaterThan(10);
    await expect.poll(() => canvasColours(page, p, cells)).toEqual(panel.map((c) => c.fill));
  }
  // The evaluation's verdicts, one per policy.
  await expect(page.getByTestId('verdict-place-based')).toContainText(/better on \d+ of 15/);
  await expect(page.getByTestId('verdict-hub-based')).toContainText(/better on \d+ of 15/);
  // The scorecard's outputs and outcomes, and the churn decomposition.
  await expect(page.locator('#scorecard')).toContainText('jobs created');
  await expect(page.locator('#scorecard')).toContainText('target poverty');
  await expect(page.locator('#scorecard')).toContainText("children's attainment in the target");
  await expect(page.locator('#churn')).toContainText('place-based');
  // Where the households that left the target went, for both policies, against the run without.
  const displaced = page.locator('#displaced');
  await expect(displaced).toContainText('place-based: since year 2');
  await expect(displaced).toContainText('hub-based: since year 2');
  await expect(displaced.locator('tbody tr')).toHaveCount(2);
  // The destinations as a map layer: some cell outside the target received movers.
  await page.locator('#layer').selectOption('displacedTo');
  await expect(page.locator('#map-text')).toContainText('moved out of the target');
  const shown = await canvasColours(page, 0, [...Array(100).keys()]);
  expect(new Set(shown).size).toBeGreaterThan(1);
  // Follow one of the households forced out: its history names the forced move.
  await page.getByTestId('follow-forced-place-based').click();
  await expect(page.locator('#follow-history')).toContainText(/forced out by rent|its home was demolished/);
  await expect(page.locator('#follow-history')).toContainText('(target)');
  // The button in the displaced section switches the maps to the destinations of forced moves.
  await page.getByTestId('show-displaced').click();
  await expect(page.locator('#layer')).toHaveValue('forcedTo');
  // Downloads: the series as CSV, the maps as SVG.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
  const text = await (await csv.createReadStream()).toArray();
  const body = Buffer.concat(text as Buffer[]).toString('utf8');
  expect(body.split('\n')[0]).toBe('run,policy,role,year,block,metric,value');
  expect(body).toContain(',place-based,policy,5,target,povertyRate,');
  // The charts (an SVG each on the page) download as one picture: twelve charts, each with a line
  // for every run of the two policies and their counterfactual, laid out in a grid.
  const [chartsFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the charts as SVG' }).click()]);
  const chartsSvg = Buffer.concat((await (await chartsFile.createReadStream()).toArray()) as Buffer[]).toString('utf8');
  const charts = await page.evaluate((svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const groups = [...doc.documentElement.children].filter((e) => e.tagName === 'g');
    return groups.map((g) => ({ transform: g.getAttribute('transform'), lines: g.querySelectorAll(':scope > path[stroke][d]').length }));
  }, chartsSvg);
  expect(charts).toHaveLength(12);
  expect(new Set(charts.map((c) => c.transform)).size).toBe(12);
  for (const c of charts) expect(c.lines).toBe(4);
  // Difference from the counterfactual: only the policy panels, in the purple–orange scale.
  await page.locator('#diff').check();
  await expect(page.getByTestId('map').locator('canvas')).toHaveCount(2);
  const diff = await exportedMap(page);
  expect(diff.length).toBe(2);
  await expect.poll(() => canvasColours(page, 1, cells)).toEqual(diff[1]!.map((c) => c.fill));
  await page.screenshot({ path: `${SHOTS}/compare.png`, fullPage: true });
  expect(errors).toEqual([]);
});

/**
 * The lab's fingerprint of a comparison computed in Node, the way `regensim` runs it: the same
 * scenario, overrides, seed and years (smallUrl's), the same plan, each run whole in this process,
 * every year's frame kept (as the lab's sessions keep them), the results' JSON hashed in the lab's
 * order (ui/engine.ts, `fingerprint`).
 */
function nodeFingerprint(): string {
  const config = loadScenario('baseline', ['city.width=10', 'city.height=10', 'households.count=2000', 'policy.durationYears=3', 'run.seed=3', 'run.years=5']);
  const plan = planComparison(config, ['place-based', 'hub-based'], [3], 5);
  const api = createApi();
  const runs = plan.tasks.map(({ frameYears: _all, ...task }) => api.runTask(task));
  let h = FNV_BASIS;
  plan.outputs.forEach((o, i) => {
    if (i > 0) h = fnv1a('\n', h);
    const r = runs[o.task]!;
    if (r.error) throw new Error(r.error);
    h = fnv1a(JSON.stringify(o.tracked < 0 ? r.result : r.tracked![o.tracked]), h);
  });
  return h.toString(16).padStart(8, '0');
}

test('the browser computes what Node computes: the same runs, to the last digit', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(smallUrl());
  const lab = await runToDone(page);
  expect(lab).toBe(nodeFingerprint());
  expect(errors).toEqual([]);
});

test('the URL holds the state: a shared link replays the same runs bit for bit', async ({ page, context }) => {
  const errors = watchErrors(page);
  await page.goto(smallUrl());
  const first = await runToDone(page);
  expect(first).toMatch(/^[0-9a-f]{8}$/);
  const url = page.url();
  expect(url).toContain('year=5');
  expect(url).toContain('policies=place-based%2Chub-based');
  const other = await context.newPage();
  const otherErrors = watchErrors(other);
  await other.goto(url);
  await expect(status(other)).toHaveAttribute('data-status', 'done', { timeout: 50_000 });
  await expect(other.getByTestId('fingerprint')).toHaveText(first);
  await expect(other.getByTestId('verdict-place-based')).toHaveText((await page.getByTestId('verdict-place-based').textContent())!);
  // Another seed is another run (a short one: the programme starts in year 2).
  await other.locator('#seed').fill('4');
  await other.locator('#seed').press('Tab');
  await other.locator('#years').fill('3');
  await other.locator('#years').press('Tab');
  expect(other.url()).toContain('seed=4');
  expect(other.url()).not.toContain('year=');
  await other.getByTestId('run').click();
  await expect(status(other)).toHaveAttribute('data-status', 'done', { timeout: 50_000 });
  await expect(other.getByTestId('fingerprint')).not.toHaveText(first);
  expect([...errors, ...otherErrors]).toEqual([]);
});

test('a malformed upload shows a message naming the problem and keeps the previous state', async ({ page }) => {
  await page.goto(smallUrl());
  await expect(status(page)).toHaveAttribute('data-status', 'ready');
  const before = page.url();
  const upload = page.locator('#upload');
  await upload.setInputFiles({ name: 'wide.json', mimeType: 'application/json', buffer: Buffer.from('{ "name": "wide", "city": { "width": "wide" } }') });
  await expect(page.getByTestId('error')).toBeVisible();
  await expect(page.getByTestId('error')).toContainText('city.width');
  await expect(page.getByTestId('error')).toContainText('previous scenario is kept');
  expect(page.url()).toBe(before);
  await expect(page.getByTestId('scenario')).toHaveValue('baseline');

  await upload.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ "name": "broken", ') });
  await expect(page.getByTestId('error')).toContainText('broken.json: invalid JSON');
  expect(page.url()).toBe(before);

  // A name with markup is shown as text, never parsed.
  await upload.setInputFiles({
    name: 'ok.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ extends: 'baseline', name: 'tiny', description: '<img src=x onerror="document.body.dataset.hacked=1">', city: { width: 8, height: 8 }, households: { count: 1500 }, policy: { durationYears: 3 } })),
  });
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('scenario')).toHaveValue('__upload');
  await expect(page.locator('#scenario-note')).toContainText('<img src=x');
  expect(await page.evaluate(() => document.body.dataset.hacked)).toBeUndefined();
  expect(page.url()).toContain('upload=');
  await page.screenshot({ path: `${SHOTS}/upload.png`, fullPage: true });
});

test('settings the engine cannot run (a target of cells the city does not have) are named as the settings, not as a fault', async ({ page }) => {
  await page.goto(smallUrl());
  await expect(status(page)).toHaveAttribute('data-status', 'ready');
  // Valid as a file (a list of cell indices); only the city, drawn at the run, shows cell 9999 is not in it.
  await page.locator('#upload').setInputFiles({
    name: 'far.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ extends: 'baseline', name: 'far', city: { width: 8, height: 8 }, households: { count: 1500 }, policy: { kind: 'place-based', durationYears: 2, boundary: { type: 'cells', cells: [9999] } } })),
  });
  await expect(page.getByTestId('error')).toBeHidden();
  await page.getByTestId('run').click();
  await expect(status(page)).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('error')).toHaveText(/^These settings cannot run: policy\.boundary\.cells: 9999 is not a cell; allowed: 0\.\.63\. Change them and run again\.$/);
});

test('a bad URL state shows a message naming the parameter and opens the default comparison', async ({ page }) => {
  await page.goto(`/?scenario=baseline&policies=place-based,flying&${SMALL}`);
  await expect(page.getByTestId('error')).toContainText('"flying" is not a policy kind');
  // The default comparison is set up (its city is still loading: not waited for, to keep the suite short).
  await expect(page.getByTestId('policy-place-based')).toBeChecked();
  await expect(page.getByTestId('policy-hub-based')).toBeChecked();
  await expect(status(page)).toHaveAttribute('data-status', /loading|ready/);
  // A bad override in the URL is named too.
  await page.goto(`/?scenario=baseline&policies=place-based&set=city.widht%3D10`);
  await expect(page.getByTestId('error')).toContainText('parameter city.widht');
  await expect(page.getByTestId('error')).toContainText('did you mean "width"');
});

test('a crashed worker shows a message, restarts, and the run ends with the same result', async ({ page }) => {
  await page.goto(smallUrl());
  const reference = await runToDone(page);
  // The slow speed (0.6 s a year) leaves time to crash a worker mid-run on a fast machine; any
  // year before the last will do (the progress line may skip one between two polls).
  await page.locator('#speed').selectOption('600');
  await page.getByTestId('run').click();
  await expect(page.locator('#progress')).toContainText(/Year [1-3] of 5/);
  const workers = page.workers();
  expect(workers.length).toBeGreaterThan(0);
  await workers[0]!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    });
  });
  await expect(page.getByTestId('notice')).toContainText('restarted', { timeout: 30_000 });
  await expect(status(page)).toHaveAttribute('data-status', 'done', { timeout: 50_000 });
  await expect(page.getByTestId('fingerprint')).toHaveText(reference);
  await page.screenshot({ path: `${SHOTS}/crash.png`, fullPage: true });
});

test('a student can pick a neighbourhood, a household, and read why it moved', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(smallUrl());
  await runToDone(page);
  // A cell of the target in the first panel (region code 1 in the snapshot).
  const cell = await page.evaluate(() => {
    const lab = (window as unknown as { regensimLab: { run: { snaps: { layers: Record<string, Float32Array> }[]; panels: { task: number }[] } } }).regensimLab;
    const region = lab.run.snaps[lab.run.panels[0]!.task]!.layers.region!;
    return region.findIndex((v) => v === 1);
  });
  expect(cell).toBeGreaterThanOrEqual(0);
  // Clicked at its centre on the first panel's canvas (where the lab's hook says it is drawn).
  await page.getByTestId('map').scrollIntoViewIfNeeded();
  const at = await page.evaluate((c) => (window as unknown as { regensimLab: { cellCentre(p: number, c: number): { x: number; y: number } | null } }).regensimLab.cellCentre(0, c), cell);
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
  await expect(page.locator('#follow-list')).toContainText(`neighbourhood ${cell} (target)`);
  const households = page.locator('#follow-list button');
  expect(await households.count()).toBeGreaterThan(0);
  await households.first().click();
  await expect(page.locator('#follow-history')).toContainText('Household #');
  await expect(page.locator('#follow-history')).toContainText(/Now:|No longer in the city/);
  await page.screenshot({ path: `${SHOTS}/follow.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('a guided tour sets the lab up, asks for a prediction, runs, and points at the evidence', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(smallUrl());
  await expect(status(page)).toHaveAttribute('data-status', 'ready');
  await page.locator('#tour-picker').selectOption('weston');
  const tour = page.locator('#tour');
  await expect(tour).toContainText('A soft boundary');
  await expect(page.getByTestId('policy-hub-based')).toBeChecked();
  await expect(page.getByTestId('policy-place-based')).toBeChecked();
  // The small city chosen in the URL is kept.
  expect(page.url()).toContain('city.width%3D10');
  await tour.getByRole('button', { name: 'Next' }).click();
  // Running without a prediction is refused with a message.
  await tour.getByRole('button', { name: 'Run it' }).click();
  await expect(page.getByTestId('notice')).toContainText('Make a prediction first');
  await tour.getByLabel('hub-based').check();
  await tour.getByRole('button', { name: 'Run it' }).click();
  await expect(status(page)).toHaveAttribute('data-status', /running|done/);
  await expect(tour).toContainText('You predicted: hub-based');
  await expect(page.locator('#sec-scorecard')).toHaveClass(/highlight/);
  expect(errors).toEqual([]);
});

test("a real city's small areas are drawn as Voronoi polygons from their coordinates, and run", async ({ page }) => {
  const errors = watchErrors(page);
  // Sunderland's 185 areas with fewer households and a short settling-in, to keep the test short.
  await page.goto('/?scenario=sunderland&policies=place-based&seed=1&years=3&set=households.count%3D3000&set=run.spinUpYears%3D1&set=policy.durationYears%3D1');
  await expect(status(page)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const cells = (await exportedMap(page))[0]!;
  expect(cells.map((c) => c.cell)).toEqual([...Array(185).keys()]);
  // Not squares: Voronoi cells have varying numbers of corners.
  expect(new Set(cells.map((c) => c.corners)).size).toBeGreaterThan(2);
  await runToDone(page);
  // Each polygon drawn in its colour where it is (its centre is inside: Voronoi cells are convex).
  const after = (await exportedMap(page))[0]!;
  expect(new Set(after.map((c) => c.fill)).size).toBeGreaterThan(10);
  await expect.poll(() => canvasColours(page, 0, after.map((c) => c.cell))).toEqual(after.map((c) => c.fill));
  await expect(page.getByTestId('verdict-place-based')).toContainText(/better on \d+ of 15/);
  await page.screenshot({ path: `${SHOTS}/real-city.png`, fullPage: true });
  expect(errors).toEqual([]);
});
