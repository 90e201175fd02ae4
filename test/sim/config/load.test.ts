import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  applySet,
  configHash,
  resolveExtends,
  scenarioJsonSchema,
  splitSet,
  validateScenario,
} from '../../../sim/config/load.ts';
import { POLICY_KINDS } from '../../../sim/config/schema.ts';

/** The ConfigError a function throws (fails the test if it throws nothing or something else). */
function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('validateScenario', () => {
  it('fills every default from an empty object', () => {
    const c = validateScenario({}, 'empty.json');
    expect(c.name).toBe('custom');
    expect(c.city.width).toBe(32);
    expect(c.households.count).toBe(50000);
    // Nested groups are filled too (the value itself is a calibrated constant, not checked here).
    expect(typeof c.mobility.beta.rent).toBe('number');
    expect(c.mobility.beta.rent).toBeGreaterThan(0);
    expect(c.policy.kind).toBe('none');
    expect(c.run).toEqual({ years: 25, seed: 1, spinUpYears: 15 });
  });

  it('keeps given values and fills the rest of a group', () => {
    const c = validateScenario({ city: { width: 10 } }, 'x.json');
    expect(c.city.width).toBe(10);
    expect(c.city.height).toBe(32);
  });

  it('names an unknown field and lists the allowed keys at its level', () => {
    const e = configError(() => validateScenario({ city: { widht: 3 } }, 'my.json'));
    expect(e.field).toBe('city.widht');
    expect(e.message).toMatch(/^my\.json: /);
    expect(e.message).toContain('"city.widht"');
    expect(e.message).toContain('did you mean "width"');
    for (const k of ['width', 'height', 'wardBlock', 'centreFloorspace']) expect(e.message).toContain(k);
  });

  it('lists the top-level keys for an unknown top-level field', () => {
    const e = configError(() => validateScenario({ cty: {} }, 'my.json'));
    expect(e.field).toBe('cty');
    expect(e.message).toContain('allowed fields in the scenario');
    expect(e.message).toContain('households');
    expect(e.message).toContain('policy');
  });

  it('lists the allowed policy kinds for a wrong enum value', () => {
    const e = configError(() => validateScenario({ policy: { kind: 'bulldoze' } }, 'p.json'));
    expect(e.field).toBe('policy.kind');
    expect(e.message).toContain('"bulldoze"');
    for (const k of POLICY_KINDS) expect(e.message).toContain(k);
  });

  it('gives both bounds for an out-of-range number', () => {
    const e = configError(() => validateScenario({ city: { width: 1 } }, 'w.json'));
    expect(e.field).toBe('city.width');
    expect(e.message).toContain('an integer from 2 to 1000');
    expect(e.message).toContain('got 1');
  });

  it('describes exclusive bounds', () => {
    const e = configError(() => validateScenario({ metrics: { lisaAlpha: 1 } }, 'm.json'));
    expect(e.message).toContain('a number > 0 and < 1');
  });

  it('says which type was expected and what was given', () => {
    const e = configError(() => validateScenario({ households: { count: '50000' } }, 'h.json'));
    expect(e.field).toBe('households.count');
    expect(e.message).toContain('expected an integer');
    expect(e.message).toContain('"50000" (a string)');
    const f = configError(() => validateScenario({ city: 5 }, 'h.json'));
    expect(f.message).toContain('field "city": expected an object with fields: width, height');
    expect(f.message).toContain('got 5');
  });

  it('reports a non-integer where an integer is required', () => {
    const e = configError(() => validateScenario({ city: { width: 2.5 } }, 'h.json'));
    expect(e.message).toContain('expected an integer from 2 to 1000, got 2.5');
  });

  it('reports the cross-field rule of tenure shares', () => {
    const e = configError(() =>
      validateScenario({ households: { ownerShare: 0.9, privateRenterShare: 0.2 } }, 't.json'),
    );
    expect(e.field).toBe('households.privateRenterShare');
    expect(e.message).toContain('ownerShare + privateRenterShare must be at most 1');
  });

  it('refuses a programme longer than its run, naming policy.durationYears, and only when a policy runs', () => {
    const e = configError(() => validateScenario({ policy: { kind: 'place-based', durationYears: 10 }, run: { years: 8 } }, 'd.json'));
    expect(e.field).toBe('policy.durationYears');
    expect(e.message).toBe(
      'd.json: field "policy.durationYears": expected at most 8 (the run\'s length, run.years), got 10: the place-based programme would outlast the run; run at least 12 years (run.years, --years) to see it whole.',
    );
    // The city alone runs for any number of years; a programme cut off by the run's end may be
    // looked at mid-way (it is no longer than the run); one that fits is fine.
    expect(validateScenario({ policy: { kind: 'none', durationYears: 10 }, run: { years: 3 } }, 'n.json').run.years).toBe(3);
    expect(validateScenario({ policy: { kind: 'hub-based', startYear: 2, durationYears: 8 }, run: { years: 8 } }, 'c.json').policy.durationYears).toBe(8);
    expect(validateScenario({ policy: { kind: 'hub-based', durationYears: 10 }, run: { years: 12 } }, 'f.json').run.years).toBe(12);
  });

  it("refuses a 'cells' rule with no cells, naming the list", () => {
    for (const boundary of [{ type: 'cells', cells: [] }, { type: 'cells' }]) {
      const e = configError(() => validateScenario({ policy: { kind: 'place-based', boundary } }, 'c.json'));
      expect(e.field).toBe('policy.boundary.cells');
      expect(e.message).toContain("a 'cells' rule needs a non-empty list of cells");
    }
    expect(validateScenario({ policy: { kind: 'place-based', boundary: { type: 'cells', cells: [3] } } }, 'ok.json').policy.boundary).toEqual({ type: 'cells', cells: [3] });
  });

  it('reports the first problem and counts the others, in one paragraph', () => {
    const e = configError(() => validateScenario({ city: { width: 'x' }, policy: { kind: 'y' }, foo: 1 }, 'many.json'));
    expect(e.message).toContain('city.width');
    expect(e.message).toContain('and 2 more fields with problems');
    expect(e.message).not.toContain('\n');
  });

  it('rejects a scenario that is not an object', () => {
    const e = configError(() => validateScenario([1, 2], 'arr.json'));
    expect(e.message).toMatch(/^arr\.json: the scenario: expected an object/);
  });

  it('accepts extends and $schema and drops extends from the result', () => {
    const c = validateScenario({ $schema: './x.json', extends: 'baseline' }, 'e.json');
    expect(c.$schema).toBe('./x.json');
    expect('extends' in c).toBe(false);
  });
});

describe('resolveExtends', () => {
  const bases: Record<string, unknown> = {
    base: {
      name: 'base',
      title: 'The base',
      description: 'A teaching note.',
      city: { width: 20, height: 20 },
      households: { count: 1000, ownerShare: 0.5 },
      policy: { kind: 'place-based', budgetPerYear: 1e7 },
    },
    mid: { extends: 'base', name: 'mid', city: { height: 30 } },
    list: { name: 'list', tags: [1, 2, 3] },
    self: { extends: 'self' },
    loopA: { extends: 'loopB' },
    loopB: { extends: 'loopA' },
  };
  const lookup = (n: string) => bases[n];

  it('merges the base under the file, overriding only what differs', () => {
    const r = resolveExtends({ extends: 'base', name: 'child', city: { width: 40 }, policy: { kind: 'none' } }, 'child.json', lookup);
    expect(r).toEqual({
      name: 'child',
      city: { width: 40, height: 20 },
      households: { count: 1000, ownerShare: 0.5 },
      policy: { kind: 'none', budgetPerYear: 1e7 },
    });
    const c = validateScenario(r, 'child.json');
    expect(c.name).toBe('child');
    expect(c.city).toMatchObject({ width: 40, height: 20 });
    expect(c.policy.budgetPerYear).toBe(1e7);
  });

  it('does not inherit the base\'s name, title or description', () => {
    const r = resolveExtends({ extends: 'base' }, 'anon.json', lookup);
    expect(r.name).toBeUndefined();
    expect(r.title).toBeUndefined();
    expect(r.description).toBeUndefined();
    expect(validateScenario(r, 'anon.json').name).toBe('custom');
  });

  it('resolves bases recursively', () => {
    const r = resolveExtends({ extends: 'mid', name: 'leaf' }, 'leaf.json', lookup);
    expect(r.city).toEqual({ width: 20, height: 30 });
    expect(r.households).toEqual({ count: 1000, ownerShare: 0.5 });
    expect(r.name).toBe('leaf');
    expect('extends' in r).toBe(false);
  });

  it('replaces arrays instead of merging them', () => {
    const r = resolveExtends({ extends: 'list', tags: [9] }, 'l.json', lookup);
    expect(r.tags).toEqual([9]);
  });

  it('does not modify its inputs', () => {
    const child = { extends: 'base', city: { width: 40 } };
    const before = JSON.stringify(bases);
    resolveExtends(child, 'c.json', lookup);
    expect(child).toEqual({ extends: 'base', city: { width: 40 } });
    expect(JSON.stringify(bases)).toBe(before);
  });

  it('detects a cycle and names the file and the extends field', () => {
    const e = configError(() => resolveExtends({ extends: 'loopA' }, 'start.json', lookup));
    expect(e.field).toBe('extends');
    expect(e.message).toContain('field "extends"');
    expect(e.message).toContain('cycle');
    expect(e.message).toContain('loopA → loopB → loopA');
    const s = configError(() => resolveExtends(bases.self, 'self', lookup));
    expect(s.message).toContain('self → self');
  });

  it('names an unknown base and lists the known names', () => {
    const e = configError(() => resolveExtends({ extends: 'bsae' }, 'u.json', lookup, ['base', 'mid']));
    expect(e.field).toBe('extends');
    expect(e.message).toMatch(/^u\.json: field "extends"/);
    expect(e.message).toContain('"bsae"');
    expect(e.message).toContain('known scenarios: base, mid');
    expect(e.message).toContain('did you mean "base"');
  });

  it('rejects a non-string extends', () => {
    const e = configError(() => resolveExtends({ extends: 3 }, 'n.json', lookup));
    expect(e.field).toBe('extends');
    expect(e.message).toContain('got 3');
  });
});

describe('applySet', () => {
  const base = { name: 'x', city: { width: 10 } };

  it('sets numbers, booleans and bare strings, without touching the input', () => {
    const a = applySet(base, 'city.height', '40');
    expect(a).toEqual({ name: 'x', city: { width: 10, height: 40 } });
    expect(base).toEqual({ name: 'x', city: { width: 10 } });
    const b = applySet(a, 'policy.kind', 'place-based');
    expect(b.policy).toEqual({ kind: 'place-based' });
    const c = applySet(b, 'policy.budgetPerYear', '3e7');
    expect((c.policy as Record<string, unknown>).budgetPerYear).toBe(3e7);
    expect(validateScenario(c, 'x').policy).toMatchObject({ kind: 'place-based', budgetPerYear: 3e7, startYear: 2, durationYears: 10 });
  });

  it('reads a quoted value as a string and keeps string fields as written', () => {
    expect(applySet({}, 'policy.kind', '"hub-based"').policy).toEqual({ kind: 'hub-based' });
    expect(applySet({}, 'name', '2024').name).toBe('2024');
  });

  it('merges an object value into the group there', () => {
    const r = applySet(base, 'city', '{"height":12}');
    expect(r.city).toEqual({ width: 10, height: 12 });
  });

  it('leaves a bad value to validation, which names the field', () => {
    const r = applySet(base, 'city.width', 'wide');
    expect(r.city).toEqual({ width: 'wide' });
    const e = configError(() => validateScenario(r, 'x'));
    expect(e.field).toBe('city.width');
  });

  it('rejects an unknown path, listing the allowed keys where it failed', () => {
    const e = configError(() => applySet(base, 'city.widht', '3'));
    expect(e.field).toBe('city.widht');
    expect(e.message).toContain('unknown field "widht" in city');
    expect(e.message).toContain('width, height');
    const top = configError(() => applySet(base, 'town.width', '3'));
    expect(top.message).toContain('in the scenario');
    expect(top.message).toContain('city, households');
    const deep = configError(() => applySet(base, 'mobility.beta.colour', '1'));
    expect(deep.message).toContain('in mobility.beta');
    expect(deep.message).toContain('quality');
  });

  it('rejects a path that goes below a single value', () => {
    const e = configError(() => applySet(base, 'city.width.x', '3'));
    expect(e.message).toContain('city.width is a single value');
  });

  it('refuses to set extends', () => {
    expect(() => applySet(base, 'extends', 'baseline')).toThrow(ConfigError);
  });

  it('splitSet needs path=value', () => {
    expect(splitSet('a.b=c=d')).toEqual(['a.b', 'c=d']);
    expect(splitSet('name=')).toEqual(['name', '']);
    expect(configError(() => splitSet('city.width')).message).toContain('expected path=value');
    expect(() => splitSet('=3')).toThrow(ConfigError);
  });
});

describe('scenarioJsonSchema', () => {
  it('is a JSON Schema of the file format with every group', () => {
    const s = scenarioJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties: unknown };
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.properties.city?.properties?.width).toMatchObject({ type: 'integer', minimum: 2, maximum: 1000, default: 32 });
    expect(s.properties.policy?.properties?.kind).toMatchObject({ enum: [...POLICY_KINDS] });
    expect(s.properties).toHaveProperty('extends');
    expect(s.additionalProperties).toBe(false);
    // Input form: every field has a default, so none is required.
    expect((s as { required?: unknown }).required).toBeUndefined();
  });
});

describe('configHash', () => {
  const cfg = (x: object) => validateScenario(x, 'h');

  it('is 16 hex digits and stable', () => {
    const h = configHash(cfg({}));
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(configHash(cfg({}))).toBe(h);
  });

  it('ignores the seed and the descriptive fields', () => {
    const h = configHash(cfg({}));
    expect(configHash(cfg({ name: 'other', title: 't', description: 'd', run: { seed: 99 } }))).toBe(h);
  });

  it('changes with anything that shapes the run', () => {
    const h = configHash(cfg({}));
    expect(configHash(cfg({ city: { width: 31 } }))).not.toBe(h);
    expect(configHash(cfg({ run: { years: 24 } }))).not.toBe(h);
    expect(configHash(cfg({ policy: { kind: 'hub-based' } }))).not.toBe(h);
  });

  it('does not depend on key order', () => {
    const a = cfg({ city: { width: 20, height: 10 }, policy: { kind: 'integrated' } });
    const b = cfg({ policy: { kind: 'integrated' }, city: { height: 10, width: 20 } });
    expect(configHash(a)).toBe(configHash(b));
  });
});
