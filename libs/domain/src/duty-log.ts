import { createHmac } from 'node:crypto';
import { AUDIT_KEYED, auditMac, type AuditContent, type AuditRow } from './audit-chain.js';

/**
 * The duty log (值班日志) is a hash chain of the audit chain's kind (audit-chain.ts): each
 * entry's HMAC covers its content and the previous entry's hash, and ChainVerifier checks
 * it. Its key is derived from the audit key, so a duty log entry's MAC never verifies as an
 * audit entry's (or the other way round) while one secret still protects both.
 */
export const DUTY_LOG_KINDS = ['call', 'document', 'instruction', 'handling', 'note'] as const;
export type DutyLogKind = (typeof DUTY_LOG_KINDS)[number];

export function dutyLogKey(auditKey: Buffer): Buffer {
  return createHmac('sha256', auditKey).update('yihu-duty-log').digest();
}

export interface DutyLogContent {
  seq: number;
  at: string;
  actorId: string | null;
  kind: DutyLogKind;
  siteId: string;
  data: Record<string, unknown>;
}

export interface DutyLogEntry extends DutyLogContent {
  prevHash: string;
  hash: string;
}

/** The entry as the audit chain's verifier reads it. */
export function dutyLogAsChainRow(entry: DutyLogEntry): AuditRow {
  return { ...asAuditContent(entry), prevHash: entry.prevHash, hash: entry.hash, version: AUDIT_KEYED };
}

function asAuditContent(c: DutyLogContent): AuditContent {
  return {
    seq: c.seq,
    at: c.at,
    actorId: c.actorId,
    action: `duty.log.${c.kind}`,
    subjectType: 'site',
    subjectId: c.siteId,
    data: c.data,
  };
}

export function dutyLogMac(content: DutyLogContent, prevHash: string, key: Buffer): string {
  return auditMac(asAuditContent(content), prevHash, key);
}
