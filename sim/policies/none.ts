/** The counterfactual: no programme; the city evolves under its own mechanisms. */
import type { Policy } from './index.ts';

export const none: Policy = {
  kind: 'none',
  step(): void {},
};
