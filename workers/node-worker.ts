/**
 * The `worker_threads` entry: exposes the worker API (workers/api.ts) with comlink over the
 * parent port. workers/pool.ts starts it through a bootstrap that registers tsx first, because
 * Node 20 cannot load a `.ts` file as a worker by itself.
 */
import { parentPort } from 'node:worker_threads';
import { expose, transfer } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createApi } from './api.ts';

if (!parentPort) throw new Error('workers/node-worker.ts runs inside a worker_threads Worker, not as a script.');

// With `transfer`, snapshot layers move to the parent instead of being copied.
expose(createApi({ transfer }), nodeEndpoint(parentPort));
