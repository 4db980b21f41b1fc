import type {
  AckDirectiveRequest,
  AckResponse,
  ApiErrorBody,
  AuditEntryView,
  AuditVerifyResponse,
  ConsultationView,
  CreateConsultationRequest,
  CreateTerminalRequest,
  DirectiveSummaryView,
  DirectiveTemplateView,
  DirectiveView,
  EscalateRecipientResponse,
  FeedbackRequest,
  IssueDirectiveRequest,
  IssueDirectiveResponse,
  LoginRequest,
  LoginResponse,
  RecordingView,
  ResendDirectiveResponse,
  RadioEmergencyView,
  SiteGroupView,
  SiteView,
  TalkgroupView,
  TerminalCredentials,
  TerminalView,
  TransmissionView,
  UserView,
} from '#contracts';
import { localizeError, localizeOther, type ErrorFacts } from './error-text.js';

/** An API answer that was not 2xx, with the server's message (already safe to show as text). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** the refusal's code, fields and the path called: what errorText translates */
    readonly facts: Omit<ErrorFacts, 'status' | 'message'> = {},
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'yihu.token';
/** audit entries per page in the console */
export const AUDIT_PAGE = 100;

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string | null): void {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const body = data as Partial<ApiErrorBody> | null;
    const msg = body?.message as unknown;
    throw new ApiError(
      res.status,
      typeof msg === 'string' ? msg : Array.isArray(msg) ? msg.join('; ') : `HTTP ${res.status}`,
      { path: path.split('?')[0], code: body?.code, fields: body?.fields },
    );
  }
  return data as T;
}

/**
 * Lists the API serves a page at a time (`limit`, `offset`; docs/directives.md): read page
 * after page until a short one. The pickers need every group and template the user may use.
 */
async function allPages<T>(path: string, pageSize = 500, maxPages = 200): Promise<T[]> {
  const all: T[] = [];
  for (let page = 0; page < maxPages; page += 1) {
    const items = await call<T[]>('GET', `${path}?limit=${pageSize}&offset=${page * pageSize}`);
    all.push(...items);
    if (items.length < pageSize) break;
  }
  return all;
}

export const api = {
  login: (req: LoginRequest) => call<LoginResponse>('POST', '/auth/login', req),
  me: () => call<UserView>('GET', '/auth/me'),
  sites: () => call<SiteView[]>('GET', '/sites'),
  directives: (limit = 100) => call<DirectiveSummaryView[]>('GET', `/directives?limit=${limit}`),
  directive: (id: string) => call<DirectiveView>('GET', `/directives/${encodeURIComponent(id)}`),
  issue: (req: IssueDirectiveRequest) => call<IssueDirectiveResponse>('POST', '/directives', req),
  ack: (id: string, req: AckDirectiveRequest = {}) =>
    call<AckResponse>('POST', `/directives/${encodeURIComponent(id)}/ack`, req),
  feedback: (id: string, req: FeedbackRequest) =>
    call<AckResponse>('POST', `/directives/${encodeURIComponent(id)}/feedback`, req),
  resend: (id: string, siteIds: string[]) =>
    call<ResendDirectiveResponse>('POST', `/directives/${encodeURIComponent(id)}/resend`, { siteIds }),
  escalate: (id: string, siteId: string) =>
    call<EscalateRecipientResponse>('POST', `/directives/${encodeURIComponent(id)}/escalate`, { siteId }),
  /** 撤销: the directive is withdrawn for every recipient */
  cancel: (id: string, reason?: string) =>
    call<DirectiveView>('POST', `/directives/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {}),
  /** 续发: a linked update; the original is never edited */
  postUpdate: (id: string, text: string) =>
    call<DirectiveView>('POST', `/directives/${encodeURIComponent(id)}/updates`, { text }),
  groups: () => allPages<SiteGroupView>('/site-groups'),
  templates: () => allPages<DirectiveTemplateView>('/directive-templates'),
  terminals: () => call<TerminalView[]>('GET', '/terminals'),
  provision: (req: CreateTerminalRequest) => call<TerminalCredentials>('POST', '/terminals', req),
  rotate: (id: string) => call<TerminalCredentials>('POST', `/terminals/${encodeURIComponent(id)}/rotate`),
  revoke: (id: string) => call<TerminalView>('POST', `/terminals/${encodeURIComponent(id)}/revoke`),
  /** 测试呼叫: a drill message to the terminals of these sites */
  testCall: (siteIds: string[], title: string) =>
    call<{ directiveId: string; terminals: number }>('POST', '/terminals/test-calls', { siteIds, title }),
  /** users in the caller's scope: the audit log names actors with them */
  users: () => call<UserView[]>('GET', '/users'),
  /** newest first; `beforeSeq` (the oldest seq shown) fetches the page before it */
  audit: (beforeSeq?: number, limit = AUDIT_PAGE) =>
    call<AuditEntryView[]>('GET', `/audit?limit=${limit}${beforeSeq ? `&beforeSeq=${beforeSeq}` : ''}`),
  consultations: () => call<ConsultationView[]>('GET', '/consultations'),
  createConsultation: (req: CreateConsultationRequest) =>
    call<ConsultationView>('POST', '/consultations', req),
  endConsultation: (id: string) =>
    call<ConsultationView>('POST', `/consultations/${encodeURIComponent(id)}/end`),
  recordings: (id: string) =>
    call<RecordingView[]>('GET', `/consultations/${encodeURIComponent(id)}/recordings`),
  startRecording: (id: string) =>
    call<RecordingView>('POST', `/consultations/${encodeURIComponent(id)}/recordings`),
  stopRecording: (id: string) =>
    call<RecordingView>('POST', `/consultations/${encodeURIComponent(id)}/recordings/stop`),
  verifyAudit: () => call<AuditVerifyResponse>('GET', '/audit/verify'),
  // 无线对讲
  talkgroups: () => call<TalkgroupView[]>('GET', '/talkgroups'),
  transmissions: (id: string, limit = 20) =>
    call<TransmissionView[]>('GET', `/talkgroups/${encodeURIComponent(id)}/transmissions?limit=${limit}`),
  openEmergencies: () => call<RadioEmergencyView[]>('GET', '/radio/emergencies'),
  ackEmergency: (id: string) =>
    call<RadioEmergencyView>('POST', `/radio/emergencies/${encodeURIComponent(id)}/ack`),
  announce: (id: string, text: string) =>
    call<unknown>('POST', `/talkgroups/${encodeURIComponent(id)}/announce`, { text }),
  patch: (id: string, other: string) =>
    call<TalkgroupView>('POST', `/talkgroups/${encodeURIComponent(id)}/patch`, { with: other }),
  unpatch: (id: string, other: string) =>
    call<unknown>('DELETE', `/talkgroups/${encodeURIComponent(id)}/patch/${encodeURIComponent(other)}`),
};

/** A file the API serves behind the bearer token (a recording), as a blob URL the page can play. */
export async function blobUrl(apiPath: string): Promise<string> {
  const token = session.token;
  const res = await fetch(apiPath, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, { path: apiPath });
  return URL.createObjectURL(await res.blob());
}

/** An error as the user should read it: in their language, never the server's English for zh-CN. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError)
    return localizeError({ status: err.status, message: err.message, ...err.facts });
  return localizeOther(err);
}
