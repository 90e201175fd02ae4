/**
 * How the experiment runner hands runs to its workers (`affinityQueue`): a worker keeps the city it
 * spun up for the seed's other runs, and no worker idles while runs are left.
 */
import { describe, expect, it } from 'vitest';
import { affinityQueue } from '../../../workers/experiment/runner.ts';

/** Lanes asking in turn (each finishes its run before the next asks): which lane ran what. */
function schedule(byCity: Map<string, string[]>, lanes: number): string[][] {
  const take = affinityQueue(byCity);
  const ran: string[][] = Array.from({ length: lanes }, () => []);
  for (let done = false; !done; ) {
    done = true;
    for (let l = 0; l < lanes; l++) {
      const run = take(l);
      if (run !== undefined) {
        ran[l]!.push(run);
        done = false;
      }
    }
  }
  return ran;
}

const seeds = (n: number, policies: string[]) =>
  new Map(Array.from({ length: n }, (_, s) => [`seed${s + 1}`, policies.map((p) => `${p}@${s + 1}`)]));

describe('affinityQueue', () => {
  it("keeps each seed's runs on one worker when there are few runs per worker", () => {
    // 4 seeds × 2 policies on 2 workers: each worker spins up 2 cities, not 4.
    const ran = schedule(seeds(4, ['none', 'place-based']), 2);
    expect(ran).toEqual([
      ['none@1', 'place-based@1', 'none@3', 'place-based@3'],
      ['none@2', 'place-based@2', 'none@4', 'place-based@4'],
    ]);
  });

  it('hands out every run exactly once, in plan order within a city', () => {
    const byCity = seeds(7, ['a', 'b', 'c']);
    const ran = schedule(byCity, 3).flat();
    expect(ran.slice().sort()).toEqual([...byCity.values()].flat().sort());
    for (const runs of byCity.values()) {
      const at = runs.map((r) => ran.indexOf(r));
      expect(at).toEqual(at.slice().sort((x, y) => x - y));
    }
  });

  it("lets a free worker take a held city's runs at the tail rather than idle", () => {
    // One city of 3 runs, 2 workers: the second worker takes a run of it too.
    const ran = schedule(new Map([['only', ['r1', 'r2', 'r3']]]), 2);
    expect(ran).toEqual([['r1', 'r3'], ['r2']]);
  });

  it('returns undefined once every run is out', () => {
    const take = affinityQueue(new Map<string, string[]>([['x', []]]));
    expect(take(0)).toBeUndefined();
  });
});
