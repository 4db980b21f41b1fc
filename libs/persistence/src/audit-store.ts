import type { DataSource, EntityManager } from 'typeorm';
import { auditHash, GENESIS_HASH, verifyChain, type AuditRow, type ChainCheck } from '#domain';

export interface AuditInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data?: Record<string, unknown>;
}

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
  };
}

export class AuditStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends one entry. Pass the manager of the transaction that makes the change being
   * recorded, so the change and its record commit or roll back together.
   */
  async append(input: AuditInput, manager?: EntityManager): Promise<AuditRow> {
    if (!manager?.queryRunner?.isTransactionActive) {
      return this.dataSource.transaction((tx) => this.append(input, tx));
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const last = (await manager.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    const content = {
      seq: last[0] ? Number(last[0].seq) + 1 : 1,
      at: new Date().toISOString(),
      actorId: input.actorId,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      // a JSON round trip drops undefined and normalises values exactly as jsonb will
      data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
    };
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const hash = auditHash(content, prevHash);
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor_id, action, subject_type, subject_id, data, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        content.seq,
        content.at,
        content.actorId,
        content.action,
        content.subjectType,
        content.subjectId,
        JSON.stringify(content.data),
        prevHash,
        hash,
      ],
    );
    return { ...content, prevHash, hash };
  }

  /**
   * Appends several entries under one lock with one INSERT: what a batch of 签收 needs
   * (thousands of acks a second would otherwise queue on the chain's lock one by one).
   * Must run inside the transaction that makes the changes.
   */
  async appendMany(inputs: AuditInput[], manager: EntityManager): Promise<void> {
    if (inputs.length === 0) return;
    if (!manager.queryRunner?.isTransactionActive) throw new Error('appendMany needs an open transaction');
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const last = (await manager.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    let seq = last[0] ? Number(last[0].seq) : 0;
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    const at = new Date().toISOString();
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
    for (const input of inputs) {
      seq += 1;
      const content = {
        seq,
        at,
        actorId: input.actorId,
        action: input.action,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        data: JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>,
      };
      const hash = auditHash(content, prevHash);
      const row = [
        seq,
        at,
        input.actorId,
        input.action,
        input.subjectType,
        input.subjectId,
        JSON.stringify(content.data),
        prevHash,
        hash,
      ];
      row.forEach((v, i) => cols[i]!.push(v));
      prevHash = hash;
    }
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor_id, action, subject_type, subject_id, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::varchar[], $5::varchar[], $6::text[],
                            $7::jsonb[], $8::char(64)[], $9::char(64)[])`,
      cols,
    );
  }

  async list(options: { afterSeq?: number; limit: number; subjectId?: string }): Promise<AuditRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM audit_log WHERE seq > $1 AND ($2::text IS NULL OR subject_id = $2)
       ORDER BY seq DESC LIMIT $3`,
      [options.afterSeq ?? 0, options.subjectId ?? null, options.limit],
    )) as AuditDbRow[];
    return rows.map(toRow);
  }

  /** Re-computes every hash from the start, a page at a time. */
  async verify(pageSize = 1000): Promise<ChainCheck> {
    let prevHash = GENESIS_HASH;
    let nextSeq = 1;
    let checked = 0;
    for (;;) {
      const page = (
        (await this.dataSource.query('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
          nextSeq,
          pageSize,
        ])) as AuditDbRow[]
      ).map(toRow);
      if (page.length === 0) return { ok: true, checked };
      const result = verifyChain(page, prevHash, nextSeq);
      if (!result.ok) return { ...result, checked: checked + result.checked };
      checked += result.checked;
      const last = page[page.length - 1]!;
      prevHash = last.hash;
      nextSeq = last.seq + 1;
    }
  }
}
