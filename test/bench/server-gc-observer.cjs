/**
 * Preloaded into the language server by `npm run bench:didchange -- --gc` (node --require): logs
 * each garbage collection of the server — when (epoch ms), how long its pause was, young or full,
 * and by how much the old generation's large objects grew with it (large objects surviving a
 * young collection are promoted whole: a document's text above 128 kB is one). Written on exit
 * to the file named by ATLAS_LENS_BENCH_GC_LOG, one collection per line.
 */
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const { constants, PerformanceObserver, performance } = require('node:perf_hooks');

const out = process.env.ATLAS_LENS_BENCH_GC_LOG;
const lines = [];
const largeObjects = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'large_object_space')?.space_used_size ?? 0;
let large = largeObjects();

if (out) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'young' : entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR ? 'full' : 'other';
      const now = largeObjects();
      lines.push(`${(performance.timeOrigin + entry.startTime).toFixed(3)} ${entry.duration.toFixed(3)} ${kind} ${now - large}`);
      large = now;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => fs.writeFileSync(out, lines.join('\n')));
}
