import { createHash } from 'node:crypto';

/**
 * Tamper-evident audit log: each row's hash covers its own content and the previous
 * row's hash, so editing or deleting any row breaks every link after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: Record<string, unknown>;
}

export interface AuditRow extends AuditContent {
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted, so the hash does not depend on how jsonb stored the keys. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(content: AuditContent, prevHash: string): string {
  const body = canonicalJson({ ...content, prevHash });
  return createHash('sha256').update(body).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  brokenAt?: { seq: number; reason: string };
}

/** Walks rows in seq order; `startPrevHash` lets a caller verify from a known-good checkpoint. */
export function verifyChain(
  rows: Iterable<AuditRow>,
  startPrevHash = GENESIS_HASH,
  startSeq = 1,
): ChainCheck {
  let prev = startPrevHash;
  let expectedSeq = startSeq;
  let checked = 0;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return { ok: false, checked, brokenAt: { seq: row.seq, reason: `row ${expectedSeq} is missing` } };
    }
    if (row.prevHash !== prev) {
      return {
        ok: false,
        checked,
        brokenAt: { seq: row.seq, reason: 'link to previous row does not match' },
      };
    }
    const { prevHash, hash, ...content } = row;
    if (auditHash(content, prevHash) !== hash) {
      return { ok: false, checked, brokenAt: { seq: row.seq, reason: 'content does not match its hash' } };
    }
    prev = row.hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { ok: true, checked };
}
