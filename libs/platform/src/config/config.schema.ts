import { z } from 'zod';
import { IceServerSchema } from '#contracts';

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
  MQTT_HTTP_AUTH_TOKEN: z.string().min(24, 'expected at least 24 characters').optional(),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_TTL_SECONDS: positiveInt(12 * 3600),
  ADMIN_PASSWORD: z.string().min(8, 'expected at least 8 characters').optional(),
  ROOT_SITE_NAME: z.string().trim().min(1).max(100).default('应急指挥中心'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: positiveInt(10),
  LOGIN_MAX_ATTEMPTS: positiveInt(10),
  LOGIN_WINDOW_SECONDS: positiveInt(300),
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
});

export type RawConfig = z.infer<typeof ConfigSchema>;
