import { setFlagsFromString } from 'node:v8';

/**
 * How far V8's old generation may grow past what survived the last full collection before
 * the next one starts: 100 = to twice that. An idle hub's memory reducer (and any full
 * collection that follows a quiet spell) leaves V8 a small growing factor, so the first
 * fan-out after a quiet hour promoted its in-flight packets and rows into a heap already at
 * its limit: two mark-compacts of the ~150–200 MB heap of 10,000 connections ran inside
 * the fan-out, ~0.5 s of marking on the same two cores that send the directive
 * (`--trace-gc`, `bench:mqtt`). The cost is memory between collections, never retained:
 * a heap that keeps 150 MB live may reach 300 MB before it is collected.
 *
 * Set from code, not in package.json's node flags: Node refuses this flag in NODE_OPTIONS,
 * which is how the image passes flags to every app. V8 reads it at every collection.
 */
export const HEAP_GROWING_PERCENT = 100;

export function tuneHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
