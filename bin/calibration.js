#!/usr/bin/env node
// `npm run calibration`: the baseline city's figures against the plausibility ranges (bench/calibration.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/calibration.ts');
process.exitCode = await main(process.argv.slice(2));
