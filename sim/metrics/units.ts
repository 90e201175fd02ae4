/**
 * The unit a metric is in, read from its name: the CLI's tables (workers/compare.ts) and the lab
 * (ui/format.ts) show rates in % or percentage points and money in £ by these, so one list says it.
 */

/**
 * A rate or a share: shown as % (a level) or percentage points (a difference). Names ending in
 * `Change` are changes of a poverty rate (`targetPovertyChange`, `ringPeopleChange`, …) or a share of
 * one (`compositionShareOfChange`).
 */
export const isRate = (name: string): boolean => /(Rate|Share|Burden|Change)$/.test(name) || name === 'turnover';

/** Pounds: incomes, rents, wages, investment and spending. */
export const isMoney = (name: string): boolean => /(Income|Rent|Wage|Investment|total|physical|people)$/.test(name);
