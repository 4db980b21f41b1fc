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
}

export interface AuditVerifyResponse {
  ok: boolean;
  checked: number;
  /** the first row whose hash or link does not match, if any */
  brokenAt?: { seq: number; reason: string };
}
