/**
 * Types for comlink's Node adapter. comlink 4.4.2 ships `dist/esm/node-adapter.d.ts`, but
 * TypeScript looks for `node-adapter.d.mts` beside an `.mjs` import, so the import has no types
 * (TS7016). The package has no `exports` map, so this path is also what Node resolves at run time.
 *
 * The listener types are loose on purpose: both a `worker_threads` Worker and its `parentPort`
 * must fit, and their overloaded `on`/`off` only agree on `(event: string, listener: (...args))`.
 */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (...args: any[]) => void): unknown;
    off(type: string, listener: (...args: any[]) => void): unknown;
    start?: () => void;
  }

  /** Wraps a Worker or a MessagePort of `worker_threads` as a comlink endpoint. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
