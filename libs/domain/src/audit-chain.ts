import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tamper-evident audit log: each row's hash covers its own content and the previous
 * row's hash, so editing or deleting any row breaks every link after it.
 *
 * Version 2 rows are an HMAC-SHA256 under a key kept outside the database (DATA_DIR or
 * AUDIT_KEY): someone who can write the table cannot re-hash the rows after an edit, as
 * they could with the plain SHA-256 of version 1. Version 1 rows are the ones written
 * before the key existed; they verify with the legacy hash, and once a keyed row appears
 * no unkeyed row may follow it (else a forger would simply rewrite the tail as version 1).
 */
export const GENESIS_HASH = '0'.repeat(64);

/** plain SHA-256, the rows written before the chain was keyed */
export const AUDIT_LEGACY = 1;
/** HMAC-SHA256 under the audit key */
export const AUDIT_KEYED = 2;

/** The entry that starts the keyed part of a chain that began unkeyed. */
export const AUDIT_REKEYED_ACTION = 'audit.rekeyed';

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
  /** AUDIT_LEGACY or AUDIT_KEYED; absent means legacy */
  version?: number;
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

/** The legacy (version 1) hash: anyone can recompute it. */
export function auditHash(content: AuditContent, prevHash: string): string {
  const body = canonicalJson({ ...content, prevHash });
  return createHash('sha256').update(body).digest('hex');
}

/** The keyed (version 2) hash. */
export function auditMac(content: AuditContent, prevHash: string, key: Buffer): string {
  const body = canonicalJson({ ...content, prevHash });
  return createHmac('sha256', key).update(body).digest('hex');
}

/** The head of the chain as last seen, kept outside the database to catch a cut tail. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** when the head was anchored */
  at: string;
  /** seq of the first keyed row (null: none yet) */
  keyedFrom: number | null;
}

export interface SignedAuditHead extends AuditHead {
  mac: string;
}

function headBody(head: AuditHead): string {
  return canonicalJson({
    kind: 'yihu-audit-head',
    seq: head.seq,
    hash: head.hash,
    at: head.at,
    keyedFrom: head.keyedFrom,
  });
}

export function signHead(head: AuditHead, key: Buffer): SignedAuditHead {
  const mac = createHmac('sha256', key).update(headBody(head)).digest('hex');
  return { seq: head.seq, hash: head.hash, at: head.at, keyedFrom: head.keyedFrom, mac };
}

export function headSignatureValid(head: SignedAuditHead, key: Buffer): boolean {
  const expected = Buffer.from(signHead(head, key).mac, 'hex');
  const given = Buffer.from(typeof head.mac === 'string' ? head.mac : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  brokenAt?: { seq: number; reason: string };
}

export interface ChainStart {
  prevHash: string;
  seq: number;
  /** seq of the first keyed row before `seq`, if any (a verifier resumed mid-chain) */
  keyedFrom: number | null;
}

/**
 * Checks rows fed in seq order, a page at a time, so a long chain never sits in memory.
 * `push` answers the first failure; `finish` adds the check against the anchored head.
 */
export class ChainVerifier {
  private prev: string;
  private expectedSeq: number;
  private keyedFrom: number | null;
  private checked = 0;
  private anchoredHash: string | undefined;
  private failure: ChainCheck | undefined;

  constructor(
    private readonly key: Buffer | undefined,
    start: ChainStart = { prevHash: GENESIS_HASH, seq: 1, keyedFrom: null },
    private readonly anchor?: SignedAuditHead,
  ) {
    this.prev = start.prevHash;
    this.expectedSeq = start.seq;
    this.keyedFrom = start.keyedFrom;
  }

  get head(): { seq: number; hash: string; keyedFrom: number | null } {
    return { seq: this.expectedSeq - 1, hash: this.prev, keyedFrom: this.keyedFrom };
  }

  /** undefined while the chain holds; else the (sticky) failure */
  push(row: AuditRow): ChainCheck | undefined {
    if (this.failure) return this.failure;
    const reason = this.rowProblem(row);
    if (reason) {
      this.failure = { ok: false, checked: this.checked, brokenAt: { seq: row.seq, reason } };
      return this.failure;
    }
    if (this.anchor && row.seq === this.anchor.seq) this.anchoredHash = row.hash;
    this.prev = row.hash;
    this.expectedSeq += 1;
    this.checked += 1;
    return undefined;
  }

  finish(): ChainCheck {
    if (this.failure) return this.failure;
    const problem = this.anchor && this.anchorProblem(this.anchor);
    if (problem) return { ok: false, checked: this.checked, brokenAt: problem };
    return { ok: true, checked: this.checked };
  }

  private rowProblem(row: AuditRow): string | undefined {
    if (row.seq !== this.expectedSeq) return `row ${this.expectedSeq} is missing`;
    if (row.prevHash !== this.prev) return 'link to previous row does not match';
    const { prevHash, hash, version = AUDIT_LEGACY, ...content } = row;
    if (version === AUDIT_KEYED) {
      if (!this.key) return 'a keyed row, and no audit key to check it with';
      if (this.keyedFrom === null) {
        if (row.seq !== 1 && row.action !== AUDIT_REKEYED_ACTION) {
          return `the keyed part must start with an ${AUDIT_REKEYED_ACTION} entry`;
        }
        this.keyedFrom = row.seq;
      }
      if (auditMac(content, prevHash, this.key) !== hash) return 'content does not match its hash';
      return undefined;
    }
    if (version !== AUDIT_LEGACY) return `unknown hash version ${version}`;
    if (this.keyedFrom !== null) return `an unkeyed row after the keyed part began at row ${this.keyedFrom}`;
    if (auditHash(content, prevHash) !== hash) return 'content does not match its hash';
    return undefined;
  }

  private anchorProblem(anchor: SignedAuditHead): { seq: number; reason: string } | undefined {
    if (!this.key || !headSignatureValid(anchor, this.key)) {
      return { seq: anchor.seq, reason: 'the anchored head is not signed with the audit key' };
    }
    const last = this.expectedSeq - 1;
    if (last < anchor.seq) {
      return {
        seq: last + 1,
        reason: `rows ${last + 1}-${anchor.seq} are missing: the chain ends before its anchored head (${anchor.at})`,
      };
    }
    if (this.anchoredHash !== undefined && this.anchoredHash !== anchor.hash) {
      return { seq: anchor.seq, reason: `row ${anchor.seq} does not match the anchored head (${anchor.at})` };
    }
    if (anchor.keyedFrom !== null && anchor.keyedFrom !== this.keyedFrom) {
      return {
        seq: anchor.keyedFrom,
        reason: `the keyed part began at row ${anchor.keyedFrom} when the head was anchored`,
      };
    }
    return undefined;
  }
}

/** Walks rows in seq order; `startPrevHash` lets a caller verify from a known-good checkpoint. */
export function verifyChain(
  rows: Iterable<AuditRow>,
  startPrevHash = GENESIS_HASH,
  startSeq = 1,
  key?: Buffer,
): ChainCheck {
  const verifier = new ChainVerifier(key, { prevHash: startPrevHash, seq: startSeq, keyedFrom: null });
  for (const row of rows) if (verifier.push(row)) break;
  return verifier.finish();
}
