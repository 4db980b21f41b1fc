export interface AuditEntryView {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** 1: plain SHA-256 (written before the chain was keyed); 2: HMAC-SHA256 under the audit key */
  version?: number;
}

export interface AuditVerifyResponse {
  ok: boolean;
  checked: number;
  /** the first row whose hash or link does not match, if any */
  brokenAt?: { seq: number; reason: string };
  /**
   * the signed head kept outside the database (DATA_DIR/audit-anchor.json) that the chain
   * was held against; null before the first anchor is written
   */
  anchor?: { seq: number; at: string } | null;
}
