// Writes a .gz beside every text asset of the console build: the hub sends these to
// browsers that accept gzip, so first load over a 1 Mbit/s link stays short without
// compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
let raw = 0;
let packed = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(js|css|html|svg|json|txt)$/.test(name)) {
      const body = readFileSync(path);
      const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(`${path}.gz`, gz);
      raw += body.length;
      packed += gz.length;
    }
  }
};
walk(dist);
console.log(`console: ${(raw / 1024).toFixed(1)} KiB, gzipped ${(packed / 1024).toFixed(1)} KiB`);
