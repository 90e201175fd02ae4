/**
 * How many workers the lab gives a comparison (ui/engine.ts, `workersFor`): as few as reach the
 * shortest lockstep year, so that no worker spins the city up for nothing.
 */
import { describe, expect, it } from 'vitest';
import { workersFor } from '../../ui/engine.ts';

describe('workersFor', () => {
  it('uses as many workers as cores when the runs share out evenly, one more when they do not', () => {
    expect(workersFor(4, 2, 3)).toBe(2);
    expect(workersFor(5, 2, 3)).toBe(3);
    expect(workersFor(6, 2, 3)).toBe(2);
    expect(workersFor(3, 2, 3)).toBe(3);
    expect(workersFor(2, 4, 5)).toBe(2);
    expect(workersFor(8, 4, 5)).toBe(4);
  });

  it('never uses more workers than it has or runs it needs, nor fewer than one', () => {
    expect(workersFor(9, 8, 3)).toBe(3);
    expect(workersFor(1, 2, 3)).toBe(1);
    expect(workersFor(0, 2, 3)).toBe(1);
  });
});
