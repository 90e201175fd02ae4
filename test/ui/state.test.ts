/**
 * The lab's URL state (ui/state.ts): a state survives the round trip through its query string,
 * and every kind of bad parameter is refused with a message naming it.
 */
import { describe, expect, it } from 'vitest';
import { BUNDLED_NAMES } from '../../ui/scenarios.ts';
import { DEFAULT_STATE, buildConfig, decodeState, encodeState, fromBase64Url, toBase64Url, type LabState } from '../../ui/state.ts';

describe('lab URL state', () => {
  it('bundles every scenario file', () => {
    expect(BUNDLED_NAMES).toContain('baseline');
  });

  it('round-trips a state, overrides and an uploaded scenario included', () => {
    const s: LabState = {
      ...DEFAULT_STATE,
      policies: ['none', 'hub-based'],
      sets: { 'city.width': '10', 'policy.boundary': '{"type":"hub","resource":"auto"}' },
      seed: 42,
      seeds: 3,
      years: 12,
      year: 7,
    };
    expect(decodeState(encodeState(s))).toEqual(s);
    const up: LabState = { ...DEFAULT_STATE, upload: { extends: 'baseline', name: 'ünïcode town', city: { width: 6, height: 6 }, households: { count: 500 } } };
    expect(decodeState(encodeState(up))).toEqual(up);
    expect(buildConfig(up).city.width).toBe(6);
    expect(fromBase64Url(toBase64Url('£ – ü'))).toBe('£ – ü');
  });

  it('an empty query is the default state', () => {
    expect(decodeState('')).toEqual(DEFAULT_STATE);
  });

  it.each([
    ['?policies=place-based,flying', /"flying" is not a policy kind/],
    ['?scenario=atlantis', /no bundled scenario "atlantis"/],
    ['?seed=-1', /"seed": expected an integer/],
    ['?years=5&year=9', /"year": expected an integer from 0 to 5/],
    ['?set=city.width%3Dwide', /city\.width/],
    ['?set=city.widht%3D10', /did you mean "width"/],
    ['?upload=%%%', /"upload"/],
    ['?colour=red', /"colour" is not one the lab reads/],
  ])('refuses %s with a message naming it', (query, message) => {
    expect(() => decodeState(query)).toThrow(message);
  });

  it("fills a bundled real city's small-area tables, and refuses files it cannot read", () => {
    const c = buildConfig({ ...DEFAULT_STATE, scenario: 'sunderland' });
    const sa = c.city.smallAreas;
    expect(typeof sa === 'object' && sa.areasText?.startsWith('lsoa11cd')).toBe(true);
    const own = { ...DEFAULT_STATE, upload: { extends: 'baseline', city: { smallAreas: { areas: 'a.csv', neighbours: 'b.csv' } }, households: { count: 1000 } } };
    expect(() => buildConfig(own)).toThrow(/cannot read the files it names \(a\.csv, b\.csv\)/);
  });

  it("the allowance's taper is a choice of the lab's, the cliff when it is not set", () => {
    expect(buildConfig(DEFAULT_STATE).economy.allowanceTaper).toBeUndefined();
    expect(buildConfig({ ...DEFAULT_STATE, sets: { 'economy.allowanceTaper': '0.65' } }).economy.allowanceTaper).toBe(0.65);
    expect(() => buildConfig({ ...DEFAULT_STATE, sets: { 'economy.allowanceTaper': '1.5' } })).toThrow(/allowanceTaper/);
  });

  it('the configuration carries the seed and years of the state', () => {
    const c = buildConfig({ ...DEFAULT_STATE, seed: 9, years: 14 });
    expect(c.run).toMatchObject({ seed: 9, years: 14 });
  });

  it('refuses years shorter than a chosen policy\'s programme, in the lab\'s words, and not for the city alone', () => {
    expect(() => buildConfig({ ...DEFAULT_STATE, policies: ['place-based'], years: 3 })).toThrow(
      /policy\.durationYears": expected at most 3 .* run at least 12 years \(Years\)/,
    );
    expect(buildConfig({ ...DEFAULT_STATE, policies: ['none'], years: 3 }).run.years).toBe(3);
    // A shorter programme fits the same years.
    expect(buildConfig({ ...DEFAULT_STATE, policies: ['place-based'], years: 3, sets: { 'policy.durationYears': '1' } }).policy.durationYears).toBe(1);
  });
});
