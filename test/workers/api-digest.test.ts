/**
 * The worker API's additions for the browser lab: `summary` (a result without its series) and
 * `digest` (FNV-1a of a result's JSON, chained over sessions). The lab's fingerprint must stay the
 * one computed on the page before from whole results, to the last digit.
 */
import { describe, expect, it } from 'vitest';
import { createApi } from '../../workers/api.ts';
import { loadScenario } from '../../workers/scenarios.ts';

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

describe('api.summary and api.digest', () => {
  it('summarise without the series and fingerprint as the JSON of the whole results', () => {
    const api = createApi();
    const base = loadScenario('baseline', ['city.width=8', 'city.height=8', 'households.count=800', 'run.spinUpYears=1']);
    const place = { ...base, policy: { ...base.policy, kind: 'place-based' as const } };
    const ids = [api.open(base, 5), api.open(place, 5)];
    for (const id of ids) api.step(id, 12);
    const results = ids.map((id) => api.result(id));
    const summaries = ids.map((id) => api.summary(id));
    summaries.forEach((s, i) => {
      expect(s.series).toEqual([]);
      expect(s).toEqual({ ...results[i], series: [] });
    });
    let h = 0x811c9dc5;
    ids.forEach((id, i) => {
      if (i > 0) h = Math.imul(h ^ 10, 0x01000193) >>> 0;
      h = api.digest(id, h);
    });
    expect(h.toString(16).padStart(8, '0')).toBe(fnv(results.map((r) => JSON.stringify(r)).join('\n')));
  });
});

describe('a session that tracks other rules (the lab\'s one counterfactual run)', () => {
  it('steps, summarises, digests and reports displacement for each tracked rule as its own session would', () => {
    const api = createApi();
    const base = loadScenario('baseline', ['city.width=10', 'city.height=10', 'households.count=2000', 'run.spinUpYears=1', 'policy.startYear=1']);
    const hub = { ...base, policy: { ...base.policy, boundary: { type: 'hub' as const, resource: 'auto' as const, catchmentRadius: 3 } } };
    const shared = api.open(base, 3, [hub]);
    const alone = api.open(hub, 3);
    for (let y = 0; y < 3; y++) {
      const a = api.step(shared, 4);
      const b = api.step(alone, 4);
      expect(a.tracked).toHaveLength(1);
      expect(a.tracked[0]).toEqual(b.frame);
    }
    expect(api.result(shared, 0)).toEqual(api.result(alone));
    expect(api.summary(shared, 0)).toEqual(api.summary(alone));
    expect(api.digest(shared, 7, 0)).toBe(api.digest(alone, 7));
    expect(api.displacement(shared, 0)).toEqual(api.displacement(alone));
    // Its own result is a run with its own rule: another target.
    expect(api.result(shared).final.target).not.toEqual(api.result(alone).final.target);
    // The lab's yearly call: a step and the snapshot after it, in one.
    const both = api.stepAndSnapshot(shared, 4);
    api.step(alone, 4);
    expect(both.tracked[0]).toEqual(api.result(alone).series.at(-1));
    expect(both.snapshot.layers.poverty).toEqual(api.snapshot(shared).layers.poverty);
    expect(() => api.summary(shared, 1)).toThrow(/tracked: no configuration at index 1 \(the run follows 1\)/);
  });
});
