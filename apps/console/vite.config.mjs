import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console imports only types (and constants checked against them) from the contracts
// lib, so zod never enters the browser bundle. Vite 8's built-in oxc transform handles
// TSX, so no React plugin is needed.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  resolve: {
    alias: {
      '#contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
      '#sfu-client': fileURLToPath(new URL('../../libs/sfu-client/src/index.ts', import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'http://127.0.0.1:3000', ws: true } },
  },
});
