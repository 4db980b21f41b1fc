import { z } from 'zod';
import { IceServerSchema } from '#contracts';
import { describeWeakness, passwordWeakness } from '#domain';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a TCP port number (1-65535)' })
    .int('expected a TCP port number (1-65535)')
    .min(1, 'expected a TCP port number (1-65535)')
    .max(65535, 'expected a TCP port number (1-65535)')
    .default(fallback);

const optionalPort = () =>
  z.coerce
    .number({ error: 'expected a TCP port number (1-65535)' })
    .int('expected a TCP port number (1-65535)')
    .min(1, 'expected a TCP port number (1-65535)')
    .max(65535, 'expected a TCP port number (1-65535)')
    .optional();

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    )
    .optional();

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a positive integer' })
    .int()
    .min(1, 'expected a positive integer')
    .default(fallback);

/**
 * Every setting the hub reads, by its environment variable name. config/*.yaml may set
 * the same names; the environment wins. Nothing else in the code reads process.env.
 */
export const ConfigSchema = z.object({
  PORT: port(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1, 'expected a directory path').default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']),
  MQTT_PORT: port(1883),
  MQTT_HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** embedded broker: MQTT over WebSocket on this port (any path); unset = off */
  MQTT_WS_PORT: optionalPort(),
  /** embedded broker: mqtts on this port, with MQTT_TLS_CERT and MQTT_TLS_KEY (PEM files); unset = off */
  MQTT_TLS_PORT: optionalPort(),
  MQTT_TLS_CERT: z.string().trim().min(1).optional(),
  MQTT_TLS_KEY: z.string().trim().min(1).optional(),
  /** CA bundle (PEM file) the bridge trusts for an mqtts:// or wss:// MQTT_URL */
  MQTT_TLS_CA: z.string().trim().min(1).optional(),
  /** the bridge's own login to the external broker (MQTT_URL) */
  MQTT_USERNAME: z.string().trim().min(1).max(64).default('yihu-bridge'),
  MQTT_PASSWORD: z.string().min(16, 'expected at least 16 characters').optional(),
  /** external Mosquitto: the bridge keeps `passwd` and `acl` here in step with the terminal registry */
  MOSQUITTO_AUTH_DIR: z.string().trim().min(1).optional(),
  /**
   * external Mosquitto with several bridge instances: every bridge's MQTT_USERNAME, comma
   * separated (all with the one MQTT_PASSWORD). Mosquitto makes the client id the username,
   * so bridges sharing one username would throw each other off the broker in turn.
   */
  MOSQUITTO_BRIDGE_USERNAMES: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._-]{0,63})*$/,
      'expected a comma-separated list of user names (letters, digits, . _ -)',
    )
    .optional(),
  /** external Mosquitto on this host: its pid file, so the bridge can make it reload (SIGHUP) */
  MOSQUITTO_PID_FILE: z.string().trim().min(1).optional(),
  /** EMQX HTTP authenticator/authorizer: the bearer token EMQX sends; unset = endpoints off */
  /**
   * a message a terminal was sent but has not confirmed `received` is sent again after this
   * many seconds while the terminal is online (then after 2x, 3x, ...; up to 4 times)
   */
  TERMINAL_RESEND_AFTER_SECONDS: positiveInt(60),
  /**
   * embedded broker: the largest MQTT packet a client may send (bytes, fixed header
   * included); a bigger one closes the connection as soon as its header declares it.
   * Devices send at most 16 KiB of payload; 20000 is the documented Mosquitto config's
   * max_packet_size.
   */
  MQTT_MAX_PACKET_BYTES: z.coerce
    .number({ error: 'expected an integer from 1024 to 268435455' })
    .int('expected an integer from 1024 to 268435455')
    .min(1024, 'expected an integer from 1024 to 268435455')
    .max(268_435_455, 'expected an integer from 1024 to 268435455')
    .default(20_000),
  /** embedded broker: the largest CONNECT (read before authentication); a device's is ~200 bytes */
  MQTT_MAX_CONNECT_BYTES: z.coerce
    .number({ error: 'expected an integer from 128 to 65535' })
    .int('expected an integer from 128 to 65535')
    .min(128, 'expected an integer from 128 to 65535')
    .max(65_535, 'expected an integer from 128 to 65535')
    .default(4096),
  /** embedded broker: seconds from accepting a socket (TLS: its handshake included) to its CONNECT */
  MQTT_CONNECT_TIMEOUT_SECONDS: positiveInt(10),
  /**
   * embedded broker: sockets not yet authenticated, per remote address and in all; more are
   * closed at once. Devices behind one NAT or WebSocket proxy share an address, and all of
   * them reconnect together after an outage (they retry when refused).
   */
  MQTT_PENDING_PER_ADDRESS: positiveInt(256),
  MQTT_PENDING_MAX: positiveInt(4096),
  /**
   * external broker: this many seconds after a terminal's replay, what it has still not
   * confirmed `received` is sent once more (a device that said `online` before it
   * subscribed lost the replay; the bridge cannot see its SUBSCRIBE there)
   */
  TERMINAL_REPLAY_FOLLOW_UP_SECONDS: positiveInt(5),
  /**
   * how far a device's clock may be off before the 签收 time it reports (`at`) is flagged;
   * the time is bounded by the directive's issue and the hub's receipt either way
   */
  TERMINAL_CLOCK_SKEW_SECONDS: positiveInt(120),
  /**
   * a device's 签收 pressed before a directive's expiry (by its clock, not flagged as skewed)
   * still counts when the hub receives it up to this many seconds after the expiry (a bridge
   * or broker that held it); 0 judges by arrival alone
   */
  TERMINAL_LATE_ACK_GRACE_SECONDS: z.coerce
    .number({ error: 'expected a non-negative integer' })
    .int()
    .min(0, 'expected a non-negative integer')
    .max(3600, 'expected at most 3600 (an hour)')
    .default(300),
  MQTT_HTTP_AUTH_TOKEN: z.string().min(24, 'expected at least 24 characters').optional(),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_TTL_SECONDS: positiveInt(12 * 3600),
  ADMIN_PASSWORD: z
    .string()
    .min(8, 'expected at least 8 characters')
    .superRefine((pw, ctx) => {
      const weak = passwordWeakness(pw, 'admin');
      if (weak) ctx.addIssue({ code: 'custom', message: describeWeakness(weak) });
    })
    .optional(),
  ROOT_SITE_NAME: z.string().trim().min(1).max(100).default('应急指挥中心'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: positiveInt(10),
  LOGIN_MAX_ATTEMPTS: positiveInt(10),
  LOGIN_WINDOW_SECONDS: positiveInt(300),
  /** failed logins from one address per window, whatever the usernames (spraying, random names) */
  LOGIN_ADDRESS_MAX_ATTEMPTS: positiveInt(20),
  /** logins in progress at once from one address (per instance); beyond, 429 before any work */
  LOGIN_ADDRESS_CONCURRENCY: positiveInt(4),
  /** the longest delay for a user under attack, on attempts from addresses that never logged in as them */
  LOGIN_SLOW_MAX_MS: positiveInt(3000),
  /** password hashes (scrypt, 32 MiB each) computed at once; the rest wait in a bounded queue */
  LOGIN_HASH_CONCURRENCY: positiveInt(2),
  LOGIN_HASH_QUEUE: positiveInt(32),
  /** hashes per second spent on unknown usernames (to hide which exist); beyond, refused at once */
  LOGIN_UNKNOWN_USER_BUDGET: positiveInt(5),
  SFU_WORKERS: z.coerce.number({ error: 'expected a non-negative integer' }).int().min(0).optional(),
  SFU_LISTEN_IP: z.string().trim().min(1).default('127.0.0.1'),
  SFU_ANNOUNCED_IP: z.string().trim().min(1).optional(),
  SFU_RTC_MIN_PORT: port(40000),
  SFU_RTC_MAX_PORT: port(49999),
  SFU_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  /** ICE servers (TURN) handed to browsers: a JSON array like [{"urls":"turn:turn.example:3478","username":"u","credential":"p"}] */
  SFU_ICE_SERVERS: z
    .preprocess(
      (v) => {
        if (typeof v !== 'string') return v;
        try {
          return JSON.parse(v) as unknown;
        } catch {
          return 'not JSON';
        }
      },
      z.array(IceServerSchema, { error: 'expected a JSON array of {urls, username?, credential?}' }).max(10),
    )
    .default([]),
  /** participants per router before a room spills onto another worker (pipeToRouter) */
  SFU_PEERS_PER_ROUTER: positiveInt(15),
  SFU_FFMPEG_PATH: z.string().trim().min(1).default('ffmpeg'),
  SFU_ENABLED: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** 无线对讲: after a transmission the floor stays reserved for a reply this long (ms) */
  RADIO_HANG_MS: z.coerce
    .number({ error: 'expected milliseconds (0-30000)' })
    .int()
    .min(0, 'expected milliseconds (0-30000)')
    .max(30000, 'expected milliseconds (0-30000)')
    .default(2000),
  /** transmit timeout: a transmission longer than this is cut (unkey reason `timeout`) */
  RADIO_TOT_SECONDS: z.coerce
    .number({ error: 'expected seconds (1-600)' })
    .int()
    .min(1, 'expected seconds (1-600)')
    .max(600, 'expected seconds (1-600)')
    .default(60),
  /** gateways one talkgroup may hold (REST refuses more; joins past it are refused) */
  RADIO_GATEWAYS_PER_TALKGROUP: positiveInt(16),
  /** talkgroups whose media one instance hosts at once (a router and its legs each) */
  RADIO_TALKGROUPS_PER_INSTANCE: positiveInt(64),
  /** radio recordings older than this are deleted (the row keeps its metadata) */
  RADIO_RETENTION_DAYS: positiveInt(90),
  /** and the oldest are deleted first when DATA_DIR/radio/ grows past this (MB) */
  RADIO_RECORDINGS_MAX_MB: positiveInt(2048),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected 1-32 letters, digits, "_" or "-"')
    .default('yihu'),
  INSTANCE_ID: z.string().trim().min(1).max(64).optional(),
  /**
   * Delivery channels served by some process of this deployment, e.g. `console,terminal,radio`
   * when dispatch and the MQTT bridge run as separate processes. Directive jobs go to these
   * and to the channels loaded in this process (docs/channels.md). Unset: only the latter.
   */
  DELIVERY_CHANNELS: z
    .string()
    .trim()
    .regex(
      /^((console|terminal|radio)(,(console|terminal|radio))*)?$/,
      'expected a comma-separated list of console, terminal, radio',
    )
    .optional()
    .transform((v) => (v ? [...new Set(v.split(','))] : [])),
  /**
   * Socket.IO limits per namespace (console = the default namespace, sfu = /sfu): sockets one
   * user may hold across every instance, and each socket's event rate (a token bucket: a
   * steady rate and a burst). 20,000 events on one console socket took health to 1 s.
   */
  SOCKET_CONSOLE_SOCKETS_PER_USER: positiveInt(10),
  SOCKET_CONSOLE_EVENTS_PER_SECOND: positiveInt(20),
  SOCKET_CONSOLE_EVENT_BURST: positiveInt(60),
  SOCKET_SFU_SOCKETS_PER_USER: positiveInt(4),
  SOCKET_SFU_EVENTS_PER_SECOND: positiveInt(50),
  /** a participant joining a 15-site room consumes and resumes ~60 producers at once */
  SOCKET_SFU_EVENT_BURST: positiveInt(300),
  /** events refused within 10 s before the socket is disconnected */
  SOCKET_DROPS_BEFORE_DISCONNECT: positiveInt(200),
  /** WebRTC transports (each holds UDP and TCP ports) per participant, per user on one SFU instance, per consultation */
  SFU_TRANSPORTS_PER_PEER: positiveInt(4),
  SFU_TRANSPORTS_PER_USER: positiveInt(8),
  SFU_TRANSPORTS_PER_CONSULTATION: positiveInt(240),
  SFU_PEERS_PER_CONSULTATION: positiveInt(60),
  /** a directive's targets: site ids plus group ids in one request, groups, and resolved recipients */
  DIRECTIVE_MAX_TARGETS: positiveInt(10_000),
  DIRECTIVE_MAX_GROUPS: positiveInt(20),
  DIRECTIVE_MAX_RECIPIENTS: positiveInt(20_000),
  /** directives issued plus re-sends per user per minute: each sounds an alarm in every duty room */
  DIRECTIVE_SENDS_PER_MINUTE: positiveInt(30),
  /**
   * Speech for the radio (docs/radio-voice.md): the espeak-ng program, its voice and words
   * per minute (slower than its 175 default: radio audio is narrow and noisy)
   */
  RADIO_TTS_COMMAND: z.string().trim().min(1).default('espeak-ng'),
  RADIO_TTS_VOICE: z
    .string()
    .regex(/^[A-Za-z0-9_+-]{1,40}$/, 'expected an espeak-ng voice name such as cmn')
    .default('cmn'),
  RADIO_TTS_RATE: z.coerce
    .number({ error: 'expected words per minute' })
    .int()
    .min(80, 'at least 80')
    .max(300, 'at most 300')
    .default(150),
  /** syntheses at once (each an espeak-ng process); the rest wait, at most RADIO_TTS_QUEUE of them */
  RADIO_TTS_CONCURRENCY: positiveInt(2),
  RADIO_TTS_QUEUE: positiveInt(16),
  /** one synthesis is killed after this long (the first cold call here took ~20 s: it is warmed at start) */
  RADIO_TTS_TIMEOUT_MS: positiveInt(30_000),
  /** the longest text synthesized at once (a directive is said twice, its body cut to 200 characters) */
  RADIO_TTS_MAX_CHARS: positiveInt(1500),
  /** a directive broadcast that found the talkgroup busy is tried again this many times, backing off from RADIO_BROADCAST_RETRY_MS */
  RADIO_BROADCAST_RETRIES: positiveInt(5),
  RADIO_BROADCAST_RETRY_MS: positiveInt(5000),
  /**
   * `true` on dispatch processes when a separate SFU process speaks directives on the radio:
   * the job `directive.broadcast.radio` is then written even though no handler is loaded here
   */
  RADIO_BROADCAST_DECLARED: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** text announcements one user may start per minute */
  RADIO_ANNOUNCE_PER_MINUTE: positiveInt(6),
  /**
   * bearer token a Prometheus scrape sends for /metrics; unset = /metrics is not served on
   * PORT (404), only on METRICS_PORT if set
   */
  METRICS_TOKEN: z.string().min(24, 'expected at least 24 characters').optional(),
  /** a separate listener serving /metrics only, on METRICS_HOST; unset = off */
  METRICS_PORT: optionalPort(),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * the audit chain's HMAC key (32+ characters), kept out of the database. Embedded: unset
   * = generated once into DATA_DIR/audit-key. With DATABASE_URL every instance needs the
   * same key: set this or AUDIT_KEY_FILE (start-up refuses neither).
   */
  AUDIT_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
  /** a file holding the audit key (32+ characters), e.g. a secret mounted into every instance */
  AUDIT_KEY_FILE: z.string().trim().min(1).optional(),
  /** how often the audit chain's signed head is written to DATA_DIR/audit-anchor.json and the log */
  AUDIT_ANCHOR_SECONDS: positiveInt(5),
  /** 交接班: the incoming officer confirms a handover within this, else the leader on duty is alerted */
  DUTY_HANDOVER_WINDOW_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(1, 'expected a positive integer')
    .max(86_400, 'at most 86400 (a day)')
    .default(900),
  /** 日报告/零报告: `auto` opens each day's round of daily reports by itself; `off`: only by hand */
  DAILY_REPORT_ROUNDS: z.enum(['auto', 'off'], { error: 'expected auto or off' }).default('auto'),
  /** the automatic round opens from this Asia/Shanghai time of the day (HH:MM) */
  DAILY_REPORT_OPEN_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00-23:59)')
    .default('00:00'),
  /** the automatic round is due at this Asia/Shanghai time (HH:MM) */
  DAILY_REPORT_DUE_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00-23:59)')
    .default('08:00'),
  /** sites still pending get `report.due` again this long before the due time (0: no reminder) */
  DAILY_REPORT_REMIND_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(0, 'expected 0 or more')
    .max(86_400, 'at most 86400 (a day)')
    .default(1800),
  /** a pending site is `missing` this long after the due time; unset: at the end of the round's date */
  DAILY_REPORT_CUTOFF_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(1, 'expected a positive integer')
    .max(7 * 86_400, 'at most 604800 (7 days)')
    .optional(),
  /** how often each instance looks whether the day's automatic round is to be opened */
  DAILY_REPORT_TICK_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(1, 'expected a positive integer')
    .max(3600, 'at most 3600')
    .default(60),
  /**
   * requests waiting for a database connection at most; more get 503 with Retry-After at
   * once (the embedded engine has one connection: a burst queues on it)
   */
  DB_QUEUE_MAX: positiveInt(500),
  /** `1`: the fan-out timeline on stderr (fanout-trace.ts), for bench:mqtt; any other value: off */
  YIHU_TRACE: z
    .string()
    .optional()
    .transform((v) => v === '1'),
  /** 信息报送: `report.due` goes out this long before a deadline (at most half the limit) */
  REPORTING_WARNING_LEAD_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(0, 'expected 0 or more')
    .max(86_400, 'at most 86400 (a day)')
    .default(600),
  /** 信息报送: a report still overdue this long after `report.overdue` goes to the parent's leader (at most the limit) */
  REPORTING_ESCALATE_AFTER_SECONDS: z.coerce
    .number({ error: 'expected a whole number of seconds' })
    .int()
    .min(1, 'expected a positive integer')
    .max(86_400, 'at most 86400 (a day)')
    .default(600),
  /** 预警: `true` lets the editor of a warning also approve (签发) it; default two people */
  WARNINGS_SELF_APPROVAL: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** 预警: drafts and CAP imports one user may make per minute */
  WARNING_DRAFTS_PER_MINUTE: positiveInt(30),
  /** 预警: the 3-digit organization code of GB/T 35965.1 identifiers (DDD) */
  WARNING_ORG_CODE: z
    .string()
    .regex(/^\d{3}$/, 'expected 3 digits')
    .default('000'),
});

export type RawConfig = z.infer<typeof ConfigSchema>;
