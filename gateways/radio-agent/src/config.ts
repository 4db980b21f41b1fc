import { readFileSync } from 'node:fs';
import { TERMINAL_ID_PATTERN } from '#contracts';

export const AUDIO_DRIVERS = ['alsa', 'file', 'memory'] as const;
export const PTT_DRIVERS = ['gpio', 'serial', 'cm108', 'none'] as const;
export const COR_DRIVERS = ['gpio', 'serial', 'cm108', 'vox'] as const;
export const CM108_COR_PINS = ['VOL_UP', 'VOL_DN', 'MUTE_PLAY', 'MUTE_REC'] as const;

export interface GpioLine {
  chip: string;
  line: number;
  activeLow: boolean;
}

export interface RadioTiming {
  /** key-up delay: PTT is asserted this long before audio is played (the pre-roll covers it) */
  txDelayMs: number;
  /** transmit timeout: the agent unkeys on its own after this long on air */
  totMs: number;
  /** receive jitter buffer target (capped at 600 ms) */
  jitterMs: number;
  /** no RTP for this long while keyed unkeys */
  audioLossMs: number;
  /** how long an `unkey` may wait for buffered audio to play out */
  drainMaxMs: number;
}

export interface VoxSettings {
  thresholdDbfs: number;
  attackMs: number;
  releaseMs: number;
}

export interface RadioAgentConfig {
  url: string;
  id: string;
  secret: string;
  caFile?: string;
  mqtt5: boolean;
  /** the local UDP port for RTP (0: any free port) */
  rtpPort: number;
  timing: RadioTiming;
  audio:
    | { driver: 'alsa'; capture: string; playback: string }
    | { driver: 'file'; input: string; output: string }
    | { driver: 'memory' };
  ptt:
    | { driver: 'gpio'; gpio: GpioLine }
    | { driver: 'serial'; device: string }
    | { driver: 'cm108'; hidraw: string; pin: number; activeLow: boolean }
    | { driver: 'none' };
  cor:
    | { driver: 'gpio'; gpio: GpioLine }
    | { driver: 'serial'; device: string; pin: 'cts' | 'dcd'; activeLow: boolean }
    | { driver: 'cm108'; hidraw: string; pin: (typeof CM108_COR_PINS)[number]; activeLow: boolean }
    | { driver: 'vox'; vox: VoxSettings };
  emergencyGpio?: GpioLine;
}

export class ConfigError extends Error {}

export const DEFAULT_TIMING: RadioTiming = {
  txDelayMs: 150,
  totMs: 60_000,
  jitterMs: 60,
  audioLossMs: 1000,
  drainMaxMs: 1000,
};

export const DEFAULT_VOX: VoxSettings = { thresholdDbfs: -35, attackMs: 50, releaseMs: 500 };

/**
 * The radio gateway's settings, from its environment (a separate program from the hub, like
 * push-terminal, with its own variables). Every bad value stops the agent with the
 * variable's name: a gateway on a mast is configured once and must not guess.
 */
export function loadRadioConfig(env: NodeJS.ProcessEnv): RadioAgentConfig {
  const get = (name: string) => env[name]?.trim() || undefined;
  const need = (name: string) => {
    const v = get(name);
    if (!v) throw new ConfigError(`${name} is required`);
    return v;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${v}")`);
    return Number(v);
  };
  const flag = (name: string) => {
    const v = get(name) ?? '0';
    if (v !== '0' && v !== '1') throw new ConfigError(`${name} must be 0 or 1 (got "${v}")`);
    return v === '1';
  };
  const oneOf = <T extends string>(name: string, options: readonly T[], fallback: T): T => {
    const v = get(name) ?? fallback;
    if (!options.includes(v as T))
      throw new ConfigError(`${name} must be one of ${options.join(', ')} (got "${v}")`);
    return v as T;
  };
  const gpio = (name: string, activeLowName: string): GpioLine => {
    const v = need(name);
    const m = /^([\w./-]{1,64}):(\d{1,4})$/.exec(v);
    if (!m) throw new ConfigError(`${name} must be <chip>:<line>, e.g. gpiochip0:17 (got "${v}")`);
    return { chip: m[1]!, line: Number(m[2]), activeLow: flag(activeLowName) };
  };
  const device = (name: string, pattern: RegExp, example: string) => {
    const v = need(name);
    if (!pattern.test(v)) throw new ConfigError(`${name} must be a device path like ${example} (got "${v}")`);
    return v;
  };

  const url = need('YIHU_MQTT_URL');
  if (!/^(mqtts?|wss?):\/\//.test(url))
    throw new ConfigError('YIHU_MQTT_URL must start with mqtt://, mqtts://, ws:// or wss://');
  const id = need('YIHU_TERMINAL_ID');
  if (!TERMINAL_ID_PATTERN.test(id))
    throw new ConfigError('YIHU_TERMINAL_ID must be the id from provisioning ("t" and 20 hex digits)');
  let secret = get('YIHU_TERMINAL_SECRET');
  const secretFile = get('YIHU_TERMINAL_SECRET_FILE');
  if (!secret && secretFile) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`cannot read YIHU_TERMINAL_SECRET_FILE: ${(err as Error).message}`);
    }
  }
  if (!secret) throw new ConfigError('YIHU_TERMINAL_SECRET (or YIHU_TERMINAL_SECRET_FILE) is required');

  const timing: RadioTiming = {
    txDelayMs: int('YIHU_RADIO_TX_DELAY_MS', DEFAULT_TIMING.txDelayMs, 0, 1000),
    totMs: int('YIHU_RADIO_TOT_SECONDS', DEFAULT_TIMING.totMs / 1000, 5, 600) * 1000,
    jitterMs: int('YIHU_RADIO_JITTER_MS', DEFAULT_TIMING.jitterMs, 20, 600),
    audioLossMs: int('YIHU_RADIO_AUDIO_LOSS_MS', DEFAULT_TIMING.audioLossMs, 200, 1000),
    drainMaxMs: int('YIHU_RADIO_DRAIN_MAX_MS', DEFAULT_TIMING.drainMaxMs, 0, 3000),
  };

  const audioDriver = oneOf('YIHU_RADIO_AUDIO', AUDIO_DRIVERS, 'alsa');
  if (audioDriver === 'memory')
    throw new ConfigError('YIHU_RADIO_AUDIO=memory is for the simulator only; use alsa or file');
  const audio: RadioAgentConfig['audio'] =
    audioDriver === 'alsa'
      ? {
          driver: 'alsa',
          capture: alsaDevice('YIHU_RADIO_ALSA_CAPTURE', get('YIHU_RADIO_ALSA_CAPTURE')),
          playback: alsaDevice('YIHU_RADIO_ALSA_PLAYBACK', get('YIHU_RADIO_ALSA_PLAYBACK')),
        }
      : { driver: 'file', input: need('YIHU_RADIO_AUDIO_IN'), output: need('YIHU_RADIO_AUDIO_OUT') };

  const serialPath = /^\/dev\/[\w./-]{1,64}$/;
  const hidrawPath = /^\/dev\/[\w./-]{1,64}$/;
  const pttDriver = oneOf('YIHU_RADIO_PTT', PTT_DRIVERS, 'gpio');
  const ptt: RadioAgentConfig['ptt'] =
    pttDriver === 'gpio'
      ? { driver: 'gpio', gpio: gpio('YIHU_RADIO_PTT_GPIO', 'YIHU_RADIO_PTT_ACTIVE_LOW') }
      : pttDriver === 'serial'
        ? { driver: 'serial', device: device('YIHU_RADIO_SERIAL', serialPath, '/dev/ttyUSB0') }
        : pttDriver === 'cm108'
          ? {
              driver: 'cm108',
              hidraw: device('YIHU_RADIO_HIDRAW', hidrawPath, '/dev/hidraw0'),
              pin: int('YIHU_RADIO_CM108_PTT_PIN', 3, 1, 4),
              activeLow: flag('YIHU_RADIO_PTT_ACTIVE_LOW'),
            }
          : { driver: 'none' };

  const corDriver = oneOf('YIHU_RADIO_COR', COR_DRIVERS, 'vox');
  const cor: RadioAgentConfig['cor'] =
    corDriver === 'gpio'
      ? { driver: 'gpio', gpio: gpio('YIHU_RADIO_COR_GPIO', 'YIHU_RADIO_COR_ACTIVE_LOW') }
      : corDriver === 'serial'
        ? {
            driver: 'serial',
            device: device('YIHU_RADIO_SERIAL', serialPath, '/dev/ttyUSB0'),
            pin: oneOf('YIHU_RADIO_SERIAL_COR_PIN', ['cts', 'dcd'] as const, 'dcd'),
            activeLow: flag('YIHU_RADIO_COR_ACTIVE_LOW'),
          }
        : corDriver === 'cm108'
          ? {
              driver: 'cm108',
              hidraw: device('YIHU_RADIO_HIDRAW', hidrawPath, '/dev/hidraw0'),
              pin: oneOf('YIHU_RADIO_CM108_COR_PIN', CM108_COR_PINS, 'VOL_DN'),
              activeLow: flag('YIHU_RADIO_COR_ACTIVE_LOW'),
            }
          : {
              driver: 'vox',
              vox: {
                thresholdDbfs: int('YIHU_RADIO_VOX_THRESHOLD_DBFS', DEFAULT_VOX.thresholdDbfs, -90, -3),
                attackMs: int('YIHU_RADIO_VOX_ATTACK_MS', DEFAULT_VOX.attackMs, 20, 1000),
                releaseMs: int('YIHU_RADIO_VOX_RELEASE_MS', DEFAULT_VOX.releaseMs, 20, 5000),
              },
            };

  return {
    url,
    id,
    secret,
    caFile: get('YIHU_MQTT_CA'),
    mqtt5: flag('YIHU_MQTT5'),
    rtpPort: int('YIHU_RADIO_RTP_PORT', 0, 0, 65535),
    timing,
    audio,
    ptt,
    cor,
    emergencyGpio: get('YIHU_RADIO_EMERGENCY_GPIO')
      ? gpio('YIHU_RADIO_EMERGENCY_GPIO', 'YIHU_RADIO_EMERGENCY_ACTIVE_LOW')
      : undefined,
  };
}

/** an ALSA PCM name goes on a command line: letters, digits and the few signs ALSA names use */
function alsaDevice(name: string, value: string | undefined): string {
  const v = value ?? 'default';
  if (!/^[\w:,.=-]{1,64}$/.test(v))
    throw new ConfigError(`${name} must be an ALSA device name like default or plughw:1,0 (got "${v}")`);
  return v;
}
