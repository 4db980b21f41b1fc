import { validateXML } from 'xmllint-wasm';
import { CAP12_XSD } from './cap12-schema.js';
import { capRuleErrors } from './rules.js';
import type { CapError, CapValidation } from './types.js';
import { readXml, type XmlElement } from './xml-reader.js';

/** 256 KiB: the largest real alert we have seen (de-valid.xml, 30 KB) with room for polygons. */
export const MAX_CAP_BYTES = 256 * 1024;

const NAMESPACES: Record<string, CapValidation['version']> = {
  'urn:oasis:names:tc:emergency:cap:1.2': '1.2',
  'urn:oasis:names:tc:emergency:cap:1.1': '1.1',
  'http://www.incident.com/cap/1.0': '1.0',
};
const XINCLUDE_NS = ['http://www.w3.org/2001/XInclude', 'http://www.w3.org/2003/XInclude'];

/** libxml2 in WebAssembly: at most this many workers at once, so a burst cannot take every core. */
const MAX_CONCURRENT_SCHEMA_CHECKS = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** Beyond this many waiting, a check is refused at once rather than queued for many seconds. */
export const MAX_WAITING_SCHEMA_CHECKS = 16;

/** The schema checker's queue is full: a server condition (HTTP 503/429), not a verdict on the document. */
export class CapValidatorBusyError extends Error {
  constructor() {
    super(`the CAP validator is busy (${MAX_WAITING_SCHEMA_CHECKS} checks waiting); retry shortly`);
  }
}

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_SCHEMA_CHECKS) {
    if (waiting.length >= MAX_WAITING_SCHEMA_CHECKS) throw new CapValidatorBusyError();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const refused = (
  message: string,
  line?: number,
  version: CapValidation['version'] = null,
): CapValidation => ({
  valid: false,
  version,
  errors: [line === undefined ? { message } : { message, line }],
});

export interface CheckedCap {
  validation: CapValidation;
  /** The document's root, when it was read (whatever the verdict). */
  root?: XmlElement;
}

/** Bytes → text: UTF-8 only, strictly (a malformed sequence is refused, not replaced). */
function decodeText(xml: string | Uint8Array): string | null {
  if (typeof xml === 'string') return xml;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(xml);
  } catch {
    return null;
  }
}

function findXInclude(el: XmlElement): XmlElement | null {
  if (el.ns && XINCLUDE_NS.includes(el.ns)) return el;
  for (const child of el.children) {
    const hit = findXInclude(child);
    if (hit) return hit;
  }
  return null;
}

/**
 * The whole check, in the order that keeps a hostile document harmless: size first, then the
 * safe reader (a DOCTYPE, entity or XInclude is refused before anything else reads the text),
 * the version by namespace, the XSD (libxml2 in WebAssembly, which has no network at all,
 * and is given the document only after the reader has accepted it), then the extra rules.
 */
export async function checkCap(xml: string | Uint8Array): Promise<CheckedCap> {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml, 'utf8') : xml.byteLength;
  if (size > MAX_CAP_BYTES) {
    return { validation: refused(`document is ${size} bytes; the limit is ${MAX_CAP_BYTES}`) };
  }
  const text = decodeText(xml);
  if (text === null) return { validation: refused('document is not valid UTF-8') };
  const read = readXml(text);
  if ('error' in read) return { validation: refused(read.error, read.line) };
  const root = read.root;
  const xinclude = findXInclude(root);
  if (xinclude) {
    return {
      root,
      validation: refused('XInclude is refused: nothing outside the document is read', xinclude.line),
    };
  }
  const version = root.ns ? (NAMESPACES[root.ns] ?? null) : null;
  if (root.name !== 'alert' || version === null) {
    return {
      root,
      validation: refused(
        `not a CAP alert: root is <${root.name}> in namespace ${root.ns ?? '(none)'}`,
        root.line,
      ),
    };
  }
  if (version !== '1.2') {
    return {
      root,
      validation: refused(`unsupported version: CAP ${version}; the hub accepts CAP 1.2`, root.line, version),
    };
  }
  const schemaErrors = await schemaCheck(text);
  if (schemaErrors.length > 0) return { root, validation: { valid: false, version, errors: schemaErrors } };
  const ruleErrors = capRuleErrors(root);
  return { root, validation: { valid: ruleErrors.length === 0, version, errors: ruleErrors } };
}

export async function validateCap(xml: string | Uint8Array): Promise<CapValidation> {
  return (await checkCap(xml)).validation;
}

const CAP_NS_IN_MESSAGE = /\{urn:oasis:names:tc:emergency:cap:1\.2\}/g;

async function schemaCheck(text: string): Promise<CapError[]> {
  let result: Awaited<ReturnType<typeof validateXML>>;
  try {
    result = await withSlot(() =>
      validateXML({
        xml: { fileName: 'alert.xml', contents: text },
        schema: { fileName: 'cap12.xsd', contents: CAP12_XSD },
        // No network is compiled into the WebAssembly build; --nonet says so twice.
        modifyArguments: (args) => ['--nonet', ...args],
      }),
    );
  } catch (err) {
    if (err instanceof CapValidatorBusyError) throw err;
    // An exit code xmllint-wasm does not classify: never a pass, always a reason.
    const first = String((err as Error).message ?? err)
      .split('\n')[0]!
      .trim();
    return [{ message: `the schema check could not complete: ${first || 'xmllint failed'}` }];
  }
  if (result.valid) return [];
  // xmllint also echoes the offending source line and a caret; only its own located lines count.
  const errors = result.errors
    .filter((e) => e.loc?.fileName === 'alert.xml' && Number.isInteger(e.loc.lineNumber))
    .map((e) => ({
      message: e.message
        .replace(/^(Schemas validity error|parser error) : /, '')
        .replace(CAP_NS_IN_MESSAGE, '')
        .trim(),
      line: e.loc!.lineNumber,
    }));
  return errors.length > 0
    ? errors
    : [
        {
          message: result.rawOutput.trim().split('\n')[0] || 'the document does not match the CAP 1.2 schema',
        },
      ];
}
