// Bundles the browser consultation client (apps/sfu/client) with mediasoup-client and
// socket.io-client into dist/apps/sfu/client/, where the SFU serves it at /sfu/client.
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
  // the shared contracts come from their TypeScript source, as in the server's type check
  plugins: [
    {
      name: 'contracts',
      setup(b) {
        const path = new URL('../libs/contracts/src/index.ts', import.meta.url).pathname;
        b.onResolve({ filter: /^#contracts$/ }, () => ({ path }));
      },
    },
  ],
  minify: true,
  sourcemap: true,
  outfile: new URL('sfu-client.js', out).pathname,
  logLevel: 'warning',
});
copyFileSync(new URL('../apps/sfu/client/index.html', import.meta.url), new URL('index.html', out));
