// Preloaded (node --expose-gc --import) into the processes bench/mqtt.mjs measures: on
// SIGUSR2 it runs full garbage collections and prints the heap figures, so resident memory
// is read with what is still referenced, not with whatever garbage the last burst left
// (RSS read at an arbitrary moment counted the connect burst's garbage as per-terminal cost).
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  // the young generation's pages: sized by the flag and the allocation rate, not by clients
  const young = getHeapSpaceStatistics()
    .filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space')
    .reduce((sum, s) => sum + s.physical_space_size, 0);
  if (process.env.BENCH_HEAPSNAPSHOT)
    writeHeapSnapshot(`${process.env.BENCH_HEAPSNAPSHOT}/${process.pid}-${Date.now()}.heapsnapshot`);
  if (process.env.BENCH_GC_PROBE_REPORT)
    process.stderr.write(
      `gc-probe ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, young })}\n`,
    );
});
