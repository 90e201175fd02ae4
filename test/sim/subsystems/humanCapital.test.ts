/**
 * Human capital and health: controlled interventions on twin worlds (same seed), advanced by the
 * human-capital step alone so that nothing but the intervention differs between them.
 */
import { describe, expect, it } from 'vitest';
import { humanCapital } from '../../../sim/subsystems/humanCapital.ts';
import type { World } from '../../../sim/world.ts';
import { CLINIC, SCHOOL } from '../../../sim/world.ts';
import { housedSlots, mean, smallWorld } from '../helpers.ts';

/** Children aged 4 to 18 are in school (quarters), as in the engine. */
const inSchool = (w: World, s: number): boolean => {
  const h = w.households;
  return h.kids[s]! > 0 && h.kidAge[s]! >= 16 && h.kidAge[s]! < 72;
};

function runHumanCapital(w: World, quarters: number): void {
  for (let q = 0; q < quarters; q++) {
    humanCapital.step(w);
    w.city.tick++;
  }
}

/** The open resource of `kind` with the most users. */
function busiest(w: World, kind: number): number {
  const r = w.resources;
  let best = -1;
  for (let i = 0; i < r.count; i++) if (r.kind[i] === kind && r.open[i] && (best < 0 || r.users[i]! > r.users[best]!)) best = i;
  return best;
}

describe('humanCapital: schools', () => {
  it.each(['baseQuality', 'investment'] as const)('raising a school\'s %s raises its pupils\' attainment faster than the control', (lever) => {
    const treated = smallWorld(3);
    const control = smallWorld(3);
    const school = busiest(treated, SCHOOL);
    expect(school).toBeGreaterThanOrEqual(0);
    if (lever === 'baseQuality') treated.resources.baseQuality[school] = 1;
    else treated.resources.investment[school] = 0.4;

    const q0 = treated.resources.quality[school]!;
    runHumanCapital(treated, 12);
    runHumanCapital(control, 12);
    expect(treated.resources.quality[school]!).toBeGreaterThan(control.resources.quality[school]!);
    expect(treated.resources.quality[school]!).toBeGreaterThan(q0);

    const c = treated.cells;
    const inCatchment: number[] = [];
    const elsewhere: number[] = [];
    for (const s of housedSlots(treated)) {
      if (!inSchool(treated, s)) continue;
      (c.school[treated.households.cell[s]!] === school ? inCatchment : elsewhere).push(s);
    }
    expect(inCatchment.length).toBeGreaterThan(20);
    const gain = inCatchment.map((s) => treated.households.attainment[s]! - control.households.attainment[s]!);
    // Attainment moves toward a target that rises with school quality: no pupil can fall behind
    // its twin (1e-6: float32 rounding), and the catchment's mean must pull ahead.
    for (const g of gain) expect(g).toBeGreaterThan(-1e-6);
    expect(mean(gain)).toBeGreaterThan(0.002);
    // Pupils of other schools are untouched by this school's improvement.
    for (const s of elsewhere) expect(treated.households.attainment[s]).toBe(control.households.attainment[s]);
  });

  it('lets family support raise attainment (a support lever on the household)', () => {
    const treated = smallWorld(4);
    const control = smallWorld(4);
    const pupils = housedSlots(treated).filter((s) => inSchool(treated, s) && treated.households.poor[s]);
    const chosen = pupils.length > 0 ? pupils : housedSlots(treated).filter((s) => inSchool(treated, s));
    expect(chosen.length).toBeGreaterThan(10);
    for (const s of chosen) treated.households.support[s] = 1;
    runHumanCapital(treated, 8);
    runHumanCapital(control, 8);
    const gain = chosen.map((s) => treated.households.attainment[s]! - control.households.attainment[s]!);
    expect(mean(gain)).toBeGreaterThan(0.002);
  });
});

describe('humanCapital: clinics and health', () => {
  it('closing a clinic lowers clinic access and, over quarters, the health of those it served', () => {
    // More clinics than the default so that closing one leaves others to fall back on.
    const overrides = { humanCapital: { clinicsPer1000Households: 1.5 } };
    const treated = smallWorld(5, overrides);
    const control = smallWorld(5, overrides);
    const r = treated.resources;
    let clinics = 0;
    for (let i = 0; i < r.count; i++) if (r.kind[i] === CLINIC) clinics++;
    expect(clinics).toBeGreaterThanOrEqual(3);
    const clinic = busiest(treated, CLINIC);
    const served: number[] = [];
    for (let k = 0; k < treated.cells.n; k++) if (treated.cells.clinic[k] === clinic) served.push(k);
    expect(served.length).toBeGreaterThan(0);

    treated.resources.open[clinic] = 0;
    treated.resourcesDirty = true;
    runHumanCapital(treated, 1);
    runHumanCapital(control, 1);
    // Catchments are reassigned to the remaining clinics, none nearer (a cell may lie as near to
    // another clinic: ties), and the catchment's access falls on average.
    for (const k of served) {
      expect(treated.cells.clinic[k]).not.toBe(clinic);
      expect(treated.cells.clinic[k]).toBeGreaterThanOrEqual(0);
      expect(treated.cells.clinicDist[k]!).toBeGreaterThanOrEqual(control.cells.clinicDist[k]!);
    }
    const access = (w: World) => mean(served.map((k) => w.cells.clinicAccess[k]!));
    expect(access(treated)).toBeLessThan(access(control) - 0.01);
    for (let k = 0; k < treated.cells.n; k++) expect(treated.cells.clinicAccess[k]!).toBeLessThanOrEqual(control.cells.clinicAccess[k]! + 1e-6);

    runHumanCapital(treated, 11);
    runHumanCapital(control, 11);
    const servedSet = new Set(served);
    const residents = housedSlots(treated).filter((s) => servedSet.has(treated.households.cell[s]!));
    expect(residents.length).toBeGreaterThan(20);
    const diff = residents.map((s) => treated.households.health[s]! - control.households.health[s]!);
    // Health approaches a target that falls with clinic access: nobody gains (1e-6: rounding) and
    // the residents' mean health falls behind their twins'.
    for (const d of diff) expect(d).toBeLessThan(1e-6);
    expect(mean(diff)).toBeLessThan(-0.002);
  });
});

describe('humanCapital: adult skill', () => {
  it('long unemployment erodes skill; training builds it', () => {
    const treated = smallWorld(6);
    const control = smallWorld(6);
    const h = treated.households;
    const retire = treated.config.labour.retirementAge;
    const unemployed = housedSlots(treated).filter((s) => h.age[s]! < retire - 2 && h.employer[s]! < 0 && h.skill[s]! > 0.05);
    const employed = housedSlots(treated).filter((s) => h.age[s]! < retire - 2 && h.employer[s]! >= 0 && h.skill[s]! < 0.95);
    expect(unemployed.length).toBeGreaterThan(20);
    expect(employed.length).toBeGreaterThan(20);
    // Treated: unemployed for two years. Control: the same people just lost their jobs.
    for (const s of unemployed) {
      treated.households.unempQuarters[s] = 8;
      control.households.unempQuarters[s] = 0;
    }
    for (const s of employed) treated.households.training[s] = 1;
    const skill0 = new Map(unemployed.map((s) => [s, control.households.skill[s]!]));
    runHumanCapital(treated, 4);
    runHumanCapital(control, 4);
    for (const s of unemployed) {
      expect(treated.households.skill[s]!).toBeLessThan(control.households.skill[s]!);
      // Less than a year out of work: no erosion yet.
      expect(control.households.skill[s]).toBe(skill0.get(s));
    }
    for (const s of employed) expect(treated.households.skill[s]!).toBeGreaterThan(control.households.skill[s]!);
  });
});

