// Bundles the browser consultation page (apps/sfu/client, its client from libs/sfu-client)
// with mediasoup-client and socket.io-client into dist/apps/sfu/client/, where the SFU
// serves it at /sfu/client.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const out = new URL('../dist/apps/sfu/client/', import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('../apps/sfu/client/page.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome100',
  // the shared libs come from their TypeScript source, as in the type checks
  plugins: [
    {
      name: 'libs',
      setup(b) {
        for (const lib of ['contracts', 'sfu-client']) {
          const path = new URL(`../libs/${lib}/src/index.ts`, import.meta.url).pathname;
          b.onResolve({ filter: new RegExp(`^#${lib}$`) }, () => ({ path }));
        }
      },
    },
  ],
  minify: true,
  sourcemap: true,
  outfile: new URL('sfu-client.js', out).pathname,
  logLevel: 'warning',
});
for (const file of ['index.html', 'sfu-client.css'])
  copyFileSync(new URL(`../apps/sfu/client/${file}`, import.meta.url), new URL(file, out));
