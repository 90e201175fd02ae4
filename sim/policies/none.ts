/**
 * The counterfactual: no programme. It still draws the default area-based target at the start
 * year, so that its regions and original residents can be compared with a policy run's.
 */
import { defaultIndexRule } from './defaults.ts';
import type { Policy } from './index.ts';

export const none: Policy = {
  kind: 'none',
  defaultBoundary: defaultIndexRule,
  step: () => 0,
};
