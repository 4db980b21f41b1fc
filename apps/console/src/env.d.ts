/** Stylesheets are bundled by Vite. */
declare module '*.css';

/**
 * The contracts lib measures text in UTF-8 bytes with Node's Buffer inside zod refinements.
 * The console imports only its types, so this declaration just lets the shared source
 * type-check without pulling Node's types into a DOM program.
 */
declare const Buffer: { byteLength(value: string, encoding: 'utf8'): number };
