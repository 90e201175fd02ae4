/**
 * Every world a process steps has one hidden class: clones of a world and trackers' views of it
 * are built by the same object literal (sim/world.ts, `assembleWorld`), never by a spread with
 * added fields, which Node 20 gives a new hidden class at nearly every call once the spreading
 * function has feedback. Shapes that change from run to run make V8 throw the subsystems'
 * optimised code away in every run of a process that runs many (comparisons, experiments); so
 * does a configuration of another shape in every run (sim/config/load.ts, `validateScenario`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorld } from '../../sim/create.ts';
import { cloneWorld, createTracker, trackerView } from '../../sim/world.ts';
import { smallConfig } from './helpers.ts';

const worldModule = fileURLToPath(new URL('../../sim/world.ts', import.meta.url));
const createModule = fileURLToPath(new URL('../../sim/create.ts', import.meta.url));
const helpersModule = fileURLToPath(new URL('./helpers.ts', import.meta.url));
const loadModule = fileURLToPath(new URL('../../sim/config/load.ts', import.meta.url));

describe('world shapes', () => {
  it('a clone and a view list the fields in the order of the world they copy', () => {
    const w = createWorld(smallConfig(), 1);
    const t = createTracker(w.geo.n, w.households.capacity);
    expect(Object.keys(cloneWorld(w))).toEqual(Object.keys(w));
    expect(Object.keys(trackerView(w, t))).toEqual(Object.keys(w));
    expect(Object.keys(trackerView(w, t).households)).toEqual(Object.keys(w.households));
  });

  it('many clones and views in one process keep one hidden class (V8 natives)', () => {
    // A process of its own: the natives syntax is a V8 flag, and the fresh process is what a
    // worker of a comparison is.
    const script = `
      const same = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const { createWorld } = await import(${JSON.stringify(createModule)});
      const { cloneWorld, createTracker, trackerView } = await import(${JSON.stringify(worldModule)});
      const { smallConfig } = await import(${JSON.stringify(helpersModule)});
      const w = createWorld(smallConfig(), 1);
      const t = createTracker(w.geo.n, w.households.capacity);
      const first = cloneWorld(w), view = trackerView(w, t);
      let bad = 0;
      for (let i = 0; i < 40; i++) {
        const c = cloneWorld(i % 2 ? w : first);
        if (!same(first, c)) bad++;
        for (const k of Object.keys(c)) {
          const x = c[k], y = w[k];
          if (x && typeof x === 'object' && !same(x, y)) bad++;
        }
        if (i % 8 === 0 && !same(first, createWorld(smallConfig({ households: { count: 500 } }), i))) bad++;
        const v = trackerView(w, t);
        if (!same(view, v) || !same(view.households, v.households) || !same(first, v)) bad++;
      }
      // The configuration every subsystem reads: one shape however many runs validate theirs.
      const { validateScenario } = await import(${JSON.stringify(loadModule)});
      const kinds = ['none', 'place-based', 'people-based', 'hub-based'];
      const configs = Array.from({ length: 40 }, (_, i) => validateScenario({ ...smallConfig(), policy: { kind: kinds[i % 4] } }, 'test'));
      for (const c of configs) if (!same(c, configs[0])) bad++;
      process.stdout.write(String(bad));
    `;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out).toBe('0');
  }, 60_000);
});

describe('cloneWorld', () => {
  it('shares only the stores that never change and copies every other array', () => {
    const w = createWorld(smallConfig(), 1);
    const c = cloneWorld(w);
    const shared = new Set<unknown>([w.geo, w.commute, w.demand, w.nearby, w.commuteWeight, w.commuteCum, w.demandWeight]);
    const arrays = (o: unknown, out: ArrayBufferView[] = []): ArrayBufferView[] => {
      if (shared.has(o)) return out;
      if (ArrayBuffer.isView(o)) out.push(o);
      else if (o && typeof o === 'object') for (const v of Object.values(o)) arrays(v, out);
      return out;
    };
    const { config: _a, rng: _b, ...original } = w;
    const { config: _c, rng: _d, ...copy } = c;
    void _a, _b, _c, _d;
    const mine = new Set(arrays(original).map((a) => a.buffer));
    const theirs = arrays(copy);
    expect(theirs.length).toBe(mine.size);
    for (const a of theirs) expect(mine.has(a.buffer)).toBe(false);
    for (const k of ['geo', 'commute', 'demand', 'nearby', 'commuteWeight', 'commuteCum', 'demandWeight'] as const) expect(c[k]).toBe(w[k]);
    expect(JSON.stringify(copy, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v))).toBe(
      JSON.stringify(original, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)),
    );
  });
});
