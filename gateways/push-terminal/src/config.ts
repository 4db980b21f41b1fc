import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TERMINAL_ID_PATTERN } from '#contracts';

export interface AgentConfig {
  url: string;
  id: string;
  secret: string;
  inboxDir: string;
  link: string;
  speech: boolean;
  caFile?: string;
  mqtt5: boolean;
}

export class ConfigError extends Error {}

/**
 * The agent's settings, from its environment (this is a separate program from the hub,
 * with its own few variables). The secret comes from the environment or a file, never from
 * the command line, where `ps` would show it.
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const need = (name: string) => {
    const v = env[name]?.trim();
    if (!v) throw new ConfigError(`${name} is required`);
    return v;
  };
  const url = need('YIHU_MQTT_URL');
  if (!/^(mqtts?|wss?):\/\//.test(url))
    throw new ConfigError('YIHU_MQTT_URL must start with mqtt://, mqtts://, ws:// or wss://');
  const id = need('YIHU_TERMINAL_ID');
  if (!TERMINAL_ID_PATTERN.test(id))
    throw new ConfigError('YIHU_TERMINAL_ID must be the id from provisioning ("t" and 20 hex digits)');
  let secret = env.YIHU_TERMINAL_SECRET?.trim();
  if (!secret && env.YIHU_TERMINAL_SECRET_FILE) {
    try {
      secret = readFileSync(env.YIHU_TERMINAL_SECRET_FILE, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`cannot read YIHU_TERMINAL_SECRET_FILE: ${(err as Error).message}`);
    }
  }
  if (!secret) throw new ConfigError('YIHU_TERMINAL_SECRET (or YIHU_TERMINAL_SECRET_FILE) is required');
  const speech = (env.YIHU_SPEECH ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(speech)) throw new ConfigError('YIHU_SPEECH must be on or off');
  return {
    url,
    id,
    secret,
    inboxDir: env.YIHU_INBOX_DIR?.trim() || join('terminal-data', id),
    link: env.YIHU_LINK?.trim() || 'lan',
    speech: speech === 'on',
    caFile: env.YIHU_MQTT_CA?.trim() || undefined,
    mqtt5: env.YIHU_MQTT5 === '1',
  };
}
