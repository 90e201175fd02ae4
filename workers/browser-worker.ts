/**
 * The browser Worker entry: the worker API (workers/api.ts) exposed with comlink, snapshots and
 * displacement layers moved to the page with `Comlink.transfer` instead of copied. The lab
 * (ui/engine.ts) starts it as a module worker, one per core.
 */
import * as Comlink from 'comlink';
import { createApi } from './api.ts';

Comlink.expose(createApi({ transfer: Comlink.transfer }));
