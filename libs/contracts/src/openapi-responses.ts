/**
 * JSON Schemas of the REST answers, for the OpenAPI document: the views are TypeScript
 * interfaces (the server builds them, nothing parses them), so their schemas are written
 * here beside them. Open objects: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });

const LEVELS = ['red', 'orange', 'yellow', 'blue'];

export const SITE_VIEW = object(
  {
    id: uuid,
    name: str(),
    kind: oneOf(['command', 'township', 'village']),
    parentId: nullable(uuid),
    regionCode: nullable(str('GB/T 2260 style code')),
    lat: nullable({ type: 'number', description: 'WGS-84 latitude, -90..90' }),
    lng: nullable({ type: 'number', description: 'WGS-84 longitude, -180..180' }),
    dutyPhone: nullable(str("the site's duty phone")),
    createdAt: time,
  },
  ['lat', 'lng', 'dutyPhone'],
);

export const USER_VIEW = object(
  {
    id: uuid,
    username: str(),
    displayName: nullable(str()),
    phone: nullable(str('call-back number')),
    role: oneOf(['admin', 'commander', 'dispatcher', 'duty_officer']),
    siteId: uuid,
    createdAt: time,
  },
  ['phone'],
);

export const LOGIN_RESPONSE = object({
  accessToken: str('bearer token (JWT) for the Authorization header and the Socket.IO handshake'),
  expiresIn: { ...int, description: 'seconds' },
  user: USER_VIEW,
});

const RECIPIENT_VIEW = object(
  {
    siteId: uuid,
    siteName: str(),
    state: str('recipient state (pending, delivered, acknowledged, completed, expired, ...)'),
    ackDeadline: {
      ...time,
      description:
        "this site's own 签收 deadline: the directive's ackBy, or later for a site added by a warning's widened area",
    },
    deliveredAt: nullable(time),
    acknowledgedAt: nullable(time),
    acknowledgedBy: nullable(uuid),
    acknowledgedOnBehalf: nullable({
      ...object({
        method: nullable(oneOf(['phone', 'radio', 'in_person'])),
        person: nullable(str('who at the site answered')),
        phone: nullable(str()),
        at: nullable(time),
        note: nullable(str()),
      }),
      description: '代签收: how the site answered, who, their phone, when, and the note',
    }),
    feedback: nullable(str()),
    overdue: bool,
    escalationLevel: int,
    noLeader: { ...bool, description: 'step 2 found no leader on duty at the site (present only when true)' },
  },
  ['deliveredAt', 'acknowledgedBy', 'acknowledgedOnBehalf', 'feedback', 'noLeader'],
);

const COUNTS: Schema = {
  type: 'object',
  additionalProperties: int,
  description: 'recipients per state',
};

export const DIRECTIVE_SUMMARY_VIEW = object({
  id: uuid,
  serial: str('human serial, e.g. 县应急〔2026〕12号'),
  title: str(),
  level: oneOf(LEVELS),
  status: str(),
  drill: bool,
  issuedAt: time,
  ackBy: time,
  lastAckBy: {
    ...time,
    description:
      'the latest 签收 deadline of the recipients in your scope (ackBy unless a site was added later)',
  },
  issuedBy: uuid,
  counts: COUNTS,
});

export const DIRECTIVE_VIEW = object(
  {
    id: uuid,
    serial: str(),
    title: str(),
    body: str(),
    level: oneOf(LEVELS),
    status: str(),
    ackWithinSeconds: int,
    ackBy: time,
    expiresAt: nullable(time),
    drill: bool,
    issuedBy: uuid,
    issuerSiteId: uuid,
    issuerName: nullable(str("the issuer's display name")),
    issuerPhone: nullable(str("the issuer's call-back number")),
    issuedAt: time,
    cancelledAt: nullable(time),
    closedAt: nullable(time),
    messages: list({ type: 'object', description: 'the original and each linked update or cancellation' }),
    recipients: list(RECIPIENT_VIEW),
  },
  ['expiresAt', 'cancelledAt', 'closedAt', 'issuerName', 'issuerPhone'],
);

export const ISSUE_DIRECTIVE_RESPONSE = object({ id: uuid, serial: str(), recipients: list(RECIPIENT_VIEW) });

export const ACK_RESPONSE = object({
  directiveId: uuid,
  siteId: uuid,
  state: str(),
  acknowledgedAt: nullable(time),
  duplicate: { ...bool, description: 'true when the site had already acknowledged' },
});

export const SITE_GROUP_VIEW = object({
  id: uuid,
  name: str(),
  ownerSiteId: uuid,
  siteIds: list(uuid),
  createdAt: time,
});

export const DIRECTIVE_TEMPLATE_VIEW = object({
  id: uuid,
  name: str(),
  title: str(),
  body: str(),
  level: oneOf(LEVELS),
  ackWithinSeconds: nullable(int),
  targets: nullable({ type: 'object', description: 'as in an issue request' }),
  ownerSiteId: uuid,
  createdAt: time,
});

export const LEADER_ON_DUTY_VIEW: Schema = {
  type: 'object',
  description: 'the site and its leader on duty (null: none)',
  properties: { siteId: uuid, userId: nullable(uuid), since: nullable(time) },
  required: ['siteId', 'userId'],
};

export const RESEND_RESPONSE = object({
  sites: { ...int, description: 'recipients the directive was sent to again' },
});
export const ESCALATE_RESPONSE = object({ escalationLevel: int });

export const AUDIT_ENTRY_VIEW = object({
  seq: int,
  at: time,
  actorId: nullable(uuid),
  action: str(),
  subjectType: str(),
  subjectId: nullable(str()),
  data: { type: 'object' },
  prevHash: str(),
  hash: str(),
});

export const AUDIT_VERIFY_RESPONSE = object(
  {
    ok: bool,
    checked: { ...int, description: 'entries checked' },
    brokenAt: object({ seq: int, reason: str() }),
  },
  ['brokenAt'],
);

export const CONSULTATION_VIEW = object({
  id: uuid,
  title: str(),
  state: str(),
  hostSiteId: uuid,
  createdBy: uuid,
  siteIds: list(uuid),
  directiveId: nullable(uuid),
  drillId: nullable(uuid),
  drill: bool,
  scheduledAt: nullable(time),
  createdAt: time,
  endedAt: nullable(time),
});

export const RECORDING_VIEW = object({
  id: uuid,
  consultationId: uuid,
  state: str(),
  startedBy: uuid,
  startedAt: time,
  stoppedAt: nullable(time),
  files: list(str()),
  error: nullable(str()),
});

export const CONSULTATION_DETAIL_VIEW: Schema = {
  allOf: [
    CONSULTATION_VIEW,
    object({
      attendance: list({ type: 'object' }),
      rollCalls: list({ type: 'object' }),
      recordings: list(RECORDING_VIEW),
    }),
  ],
};

export const JOIN_TICKET = object({
  consultationId: uuid,
  namespace: { type: 'string', enum: ['/sfu'] },
  moderator: bool,
  iceServers: list({ type: 'object' }),
});

const terminalId: Schema = { type: 'string', pattern: '^t[0-9a-f]{20}$' };

export const TERMINAL_CREDENTIALS = object({
  id: { ...terminalId, description: 'the MQTT client id and username' },
  secret: str('the MQTT password, shown once'),
});

export const TERMINAL_VIEW = object({
  id: terminalId,
  name: str(),
  siteId: uuid,
  kind: oneOf(['push', 'radio']),
  talkgroup: nullable(str()),
  revoked: bool,
  presence: str(),
  telemetry: nullable({ type: 'object' }),
  lastSeenAt: nullable(time),
  createdAt: time,
});

export const TERMINAL_MESSAGE_VIEW = object({
  messageId: uuid,
  directiveId: uuid,
  state: str('sent, received, acknowledged or expired'),
  createdAt: time,
  receivedAt: nullable(time),
  acknowledgedAt: nullable(time),
  expiresAt: nullable(time),
});

export const TEST_CALL_RESPONSE = object({ directiveId: uuid, terminals: int });

export const HEALTH_RESPONSE: Schema = {
  type: 'object',
  properties: {
    status: oneOf(['ok', 'degraded', 'down', 'starting']),
    mode: oneOf(['embedded', 'cluster']),
    components: { type: 'object', additionalProperties: { type: 'object' } },
  },
  required: ['status', 'mode', 'components'],
};

const TALKER = object({ kind: oneOf(['gateway', 'user', 'system']), id: str(), name: str() });

export const TALKGROUP_VIEW = object({
  id: uuid,
  name: str(),
  siteId: uuid,
  codec: oneOf(['PCMA', 'opus']),
  gatewayIds: list(str('terminal id')),
  gateways: list(object({ id: str(), name: str(), online: bool, cor: bool, ptt: bool })),
  floor: nullable(object({ talker: TALKER, since: time })),
  patchedWith: list(uuid),
});

export const TRANSMISSION_VIEW = object({
  id: uuid,
  talkgroupId: uuid,
  talker: TALKER,
  startedAt: time,
  endedAt: nullable(time),
  durationMs: nullable(int),
  directiveId: nullable(uuid),
  interrupted: bool,
  audioUrl: str('GET it for the WAV (A-law, 8 kHz, mono)'),
});

export const RADIO_EMERGENCY_VIEW = object({
  id: uuid,
  talkgroupId: uuid,
  terminalId: str(),
  transmissionId: nullable(uuid),
  raisedAt: time,
  ackedAt: nullable(time),
  ackedBy: nullable(uuid),
});
