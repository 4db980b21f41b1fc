import type { DataSource, EntityManager } from 'typeorm';
import {
  AUDIT_KEYED,
  AUDIT_LEGACY,
  AUDIT_REKEYED_ACTION,
  auditMac,
  ChainVerifier,
  GENESIS_HASH,
  headSignatureValid,
  signHead,
  type AuditContent,
  type AuditRow,
  type ChainCheck,
  type SignedAuditHead,
} from '#domain';
import type { AuditAnchorFile } from './audit-anchor-file.js';

export interface AuditInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data?: Record<string, unknown>;
}

export interface AuditStoreOptions {
  /** the HMAC key; the platform passes the configured one (AUDIT_KEY or DATA_DIR/audit-key) */
  key?: Buffer;
  /** where the signed head is kept; without one, verify checks the chain alone */
  anchor?: AuditAnchorFile;
}

export interface AuditVerifyResult extends ChainCheck {
  /** the head kept outside the database that this check was held against; null: none yet */
  anchor: { seq: number; at: string } | null;
}

export type AnchorOutcome =
  | { kind: 'anchored'; head: SignedAuditHead }
  | { kind: 'unchanged' }
  | { kind: 'refused'; reason: string; seq: number };

/**
 * Only for stores built without a key (unit and integration tests, tools). Every app gets
 * its key from the config (PlatformModule); a chain written under this key proves nothing.
 */
const UNCONFIGURED_KEY = Buffer.from('yihu-audit-key-not-configured');

// One lock for the whole chain: appends from every instance are serialised so each row
// links to exactly one predecessor.
const AUDIT_LOCK_KEY = 7_144_002;

interface AuditDbRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  hash_version: number;
}

function toRow(r: AuditDbRow): AuditRow {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
    version: Number(r.hash_version),
  };
}

const COLUMNS = 'seq, at, actor_id, action, subject_type, subject_id, data, prev_hash, hash, hash_version';

export class AuditStore {
  private readonly key: Buffer;
  private readonly anchorFile: AuditAnchorFile | undefined;

  constructor(
    private readonly dataSource: DataSource,
    options: AuditStoreOptions = {},
  ) {
    this.key = options.key ?? UNCONFIGURED_KEY;
    this.anchorFile = options.anchor;
  }

  /**
   * Appends one entry. Pass the manager of the transaction that makes the change being
   * recorded, so the change and its record commit or roll back together.
   */
  async append(input: AuditInput, manager?: EntityManager): Promise<AuditRow> {
    if (!manager?.queryRunner?.isTransactionActive) {
      return this.dataSource.transaction((tx) => this.append(input, tx));
    }
    const rows = await this.insert([input], manager);
    return rows[rows.length - 1]!;
  }

  /**
   * Appends several entries under one lock with one INSERT: what a batch of 签收 needs
   * (thousands of acks a second would otherwise queue on the chain's lock one by one).
   * Must run inside the transaction that makes the changes.
   */
  async appendMany(inputs: AuditInput[], manager: EntityManager): Promise<void> {
    if (inputs.length === 0) return;
    if (!manager.queryRunner?.isTransactionActive) throw new Error('appendMany needs an open transaction');
    await this.insert(inputs, manager);
  }

  private async insert(inputs: AuditInput[], manager: EntityManager): Promise<AuditRow[]> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const [last] = (await manager.query(
      'SELECT seq, hash, hash_version FROM audit_log ORDER BY seq DESC LIMIT 1',
    )) as { seq: string; hash: string; hash_version: number }[];
    let seq = last ? Number(last.seq) : 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const at = new Date().toISOString();
    const entries: AuditInput[] =
      last && Number(last.hash_version) === AUDIT_LEGACY
        ? [
            {
              actorId: null,
              action: AUDIT_REKEYED_ACTION,
              subjectType: 'audit',
              subjectId: null,
              data: { legacyRows: seq, legacyHead: prevHash },
            },
            ...inputs,
          ]
        : inputs;
    const rows: AuditRow[] = [];
    for (const input of entries) {
      seq += 1;
      const content: AuditContent = {
        seq,
        at,
        actorId: input.actorId,
        action: input.action,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        // a JSON round trip drops undefined and normalises values exactly as jsonb will
        data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
      };
      const hash = auditMac(content, prevHash, this.key);
      rows.push({ ...content, prevHash, hash, version: AUDIT_KEYED });
      prevHash = hash;
    }
    const column = <T>(pick: (r: AuditRow) => T) => rows.map(pick);
    await manager.query(
      `INSERT INTO audit_log (${COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::varchar[], $5::varchar[], $6::text[],
                            $7::jsonb[], $8::char(64)[], $9::char(64)[], $10::smallint[])`,
      [
        column((r) => r.seq),
        column((r) => r.at),
        column((r) => r.actorId),
        column((r) => r.action),
        column((r) => r.subjectType),
        column((r) => r.subjectId),
        column((r) => JSON.stringify(r.data)),
        column((r) => r.prevHash),
        column((r) => r.hash),
        column((r) => r.version),
      ],
    );
    return rows;
  }

  /**
   * Newest first. `beforeSeq` pages backwards through the whole chain (pass the last seq
   * of the previous page); `afterSeq` keeps only newer rows.
   */
  async list(options: {
    afterSeq?: number;
    beforeSeq?: number;
    limit: number;
    subjectId?: string;
  }): Promise<AuditRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_log
       WHERE seq > $1 AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR subject_id = $3)
       ORDER BY seq DESC LIMIT $4`,
      [options.afterSeq ?? 0, options.beforeSeq ?? null, options.subjectId ?? null, options.limit],
    )) as AuditDbRow[];
    return rows.map(toRow);
  }

  /**
   * Re-computes every hash from the start, a page at a time (the embedded engine's one
   * connection serves other requests between pages), then holds the chain against the
   * head anchored outside the database: a cut tail or a re-hashed chain shows there.
   */
  async verify(pageSize = 2000): Promise<AuditVerifyResult> {
    const anchor = this.anchorFile?.read() ?? null;
    const verifier = new ChainVerifier(this.key, undefined, anchor ?? undefined);
    const failed = await this.walk(verifier, 1, pageSize);
    const result = failed ?? verifier.finish();
    return { ...result, anchor: anchor && { seq: anchor.seq, at: anchor.at } };
  }

  /**
   * Signs the current head and keeps it in the anchor file, after checking that what was
   * appended since the last anchor links to it. A head behind the anchor (a cut tail) or
   * a segment that does not verify is refused: the anchor keeps the evidence.
   */
  async anchorHead(): Promise<AnchorOutcome> {
    if (!this.anchorFile) throw new Error('this audit store has no anchor file');
    const previous = this.anchorFile.read();
    const [head] = (await this.dataSource.query(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    )) as { seq: string; hash: string }[];
    if (!head) {
      if (previous && previous.seq > 0) {
        return {
          kind: 'refused',
          seq: 1,
          reason: `the audit log is empty; row ${previous.seq} was anchored`,
        };
      }
      return { kind: 'unchanged' };
    }
    const headSeq = Number(head.seq);
    let verifier: ChainVerifier;
    if (previous && previous.seq > 0) {
      if (!headSignatureValid(previous, this.key)) {
        return {
          kind: 'refused',
          seq: previous.seq,
          reason: 'the anchored head is not signed with the audit key',
        };
      }
      if (headSeq === previous.seq && head.hash === previous.hash) return { kind: 'unchanged' };
      if (headSeq < previous.seq) {
        return {
          kind: 'refused',
          seq: headSeq + 1,
          reason: `rows ${headSeq + 1}-${previous.seq} are gone: the chain ends before its anchored head`,
        };
      }
      // only the rows since the anchor: check the anchored row itself, then what follows
      const [anchored] = (await this.dataSource.query('SELECT hash FROM audit_log WHERE seq = $1', [
        previous.seq,
      ])) as { hash: string }[];
      if (anchored?.hash !== previous.hash) {
        return {
          kind: 'refused',
          seq: previous.seq,
          reason: `row ${previous.seq} does not match the anchored head`,
        };
      }
      verifier = new ChainVerifier(this.key, {
        prevHash: previous.hash,
        seq: previous.seq + 1,
        keyedFrom: previous.keyedFrom ?? (await this.firstKeyedSeq(previous.seq)),
      });
      const failed = await this.walk(verifier, previous.seq + 1, 2000);
      if (failed) return { kind: 'refused', seq: failed.brokenAt!.seq, reason: failed.brokenAt!.reason };
    } else {
      verifier = new ChainVerifier(this.key);
      const failed = await this.walk(verifier, 1, 2000);
      if (failed) return { kind: 'refused', seq: failed.brokenAt!.seq, reason: failed.brokenAt!.reason };
    }
    const verified = verifier.head;
    const signed = signHead(
      { seq: verified.seq, hash: verified.hash, at: new Date().toISOString(), keyedFrom: verified.keyedFrom },
      this.key,
    );
    this.anchorFile.write(signed);
    return { kind: 'anchored', head: signed };
  }

  private async firstKeyedSeq(upTo: number): Promise<number | null> {
    const [row] = (await this.dataSource.query(
      'SELECT seq FROM audit_log WHERE seq <= $1 AND hash_version = $2 ORDER BY seq LIMIT 1',
      [upTo, AUDIT_KEYED],
    )) as { seq: string }[];
    return row ? Number(row.seq) : null;
  }

  /** Feeds rows from `fromSeq` on into the verifier; answers its first failure. */
  private async walk(
    verifier: ChainVerifier,
    fromSeq: number,
    pageSize: number,
  ): Promise<ChainCheck | undefined> {
    let nextSeq = fromSeq;
    for (;;) {
      const page = (await this.dataSource.query(
        `SELECT ${COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [nextSeq, pageSize],
      )) as AuditDbRow[];
      for (const r of page) {
        const failed = verifier.push(toRow(r));
        if (failed) return failed;
      }
      if (page.length < pageSize) return undefined;
      nextSeq = Number(page[page.length - 1]!.seq) + 1;
    }
  }
}
