import type {
  AckDirectiveRequest,
  AckResponse,
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
  ResendDirectiveResponse,
  SiteGroupView,
  SiteView,
  TerminalCredentials,
  TerminalView,
  UserView,
} from '#contracts';

/** An API answer that was not 2xx, with the server's message (already safe to show as text). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'yihu.token';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string | null): void {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    const msg = (data as { message?: unknown } | null)?.message;
    throw new ApiError(
      res.status,
      typeof msg === 'string' ? msg : Array.isArray(msg) ? msg.join('; ') : `HTTP ${res.status}`,
    );
  }
  return data as T;
}

/** Acting on behalf of a site: the channel the answer came by is kept at the start of the note. */
export type OnBehalfChannel = 'phone' | 'radio';

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
  groups: () => call<SiteGroupView[]>('GET', '/site-groups'),
  templates: () => call<DirectiveTemplateView[]>('GET', '/directive-templates'),
  terminals: () => call<TerminalView[]>('GET', '/terminals'),
  provision: (req: CreateTerminalRequest) => call<TerminalCredentials>('POST', '/terminals', req),
  rotate: (id: string) => call<TerminalCredentials>('POST', `/terminals/${encodeURIComponent(id)}/rotate`),
  audit: (afterSeq?: number) =>
    call<AuditEntryView[]>('GET', `/audit?limit=100${afterSeq ? `&afterSeq=${afterSeq}` : ''}`),
  consultations: () => call<ConsultationView[]>('GET', '/consultations'),
  createConsultation: (req: CreateConsultationRequest) =>
    call<ConsultationView>('POST', '/consultations', req),
  verifyAudit: () => call<AuditVerifyResponse>('GET', '/audit/verify'),
};

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
