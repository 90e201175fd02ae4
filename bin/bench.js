#!/usr/bin/env node
// `npm run bench`: speed and memory figures of the engine (see bench/bench.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/bench.ts');
process.exitCode = await main(process.argv.slice(2));
