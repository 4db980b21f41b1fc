import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RadioAgent, type RadioAgentEvent } from './agent.js';
import { ConfigError, loadRadioConfig, type RadioAgentConfig } from './config.js';
import { createDrivers } from './drivers/index.js';

/**
 * The RoIP gateway agent for a small Linux board wired to a radio:
 * `node dist/gateways/radio-agent/src/main.js` with YIHU_MQTT_URL, YIHU_TERMINAL_ID,
 * YIHU_TERMINAL_SECRET and the driver variables (see its README).
 * Console: `e` = emergency, `s` = stats, `quit`.
 */
function main(): void {
  let config: RadioAgentConfig;
  try {
    config = loadRadioConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`radio-agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // lines built from the network or a driver: no control characters reach the terminal
  const out = (line: string) => process.stdout.write(`${line.replace(/[\p{Cc}\p{Cf}]/gu, ' ')}\n`);
  const describe = (e: RadioAgentEvent): string | null => {
    switch (e.type) {
      case 'connected':
        return `[link] connected to ${new URL(config.url).host} as ${config.id}`;
      case 'disconnected':
        return `[link] disconnected; retrying in ${Math.round(e.retryInMs / 100) / 10} s`;
      case 'error':
        return `[link] ${e.message}`;
      case 'rejected':
        return `[input] ignored a command: ${e.reason}`;
      case 'ptt':
        return e.on
          ? `[ptt] 发射 / keyed (${e.transmissionId ?? ''})`
          : `[ptt] 停止发射 / unkeyed: ${e.cause ?? ''}`;
      case 'key-refused':
        return `[ptt] key refused: ${e.reason}`;
      case 'cor':
        return e.up ? '[cor] 收到信号 / carrier up' : '[cor] carrier down';
      case 'media':
        return `[rtp] audio to ${e.host}:${e.port}`;
      case 'sent-event':
        return e.event.type === 'dtmf'
          ? `[dtmf] ${e.event.digits}`
          : '[emergency] 紧急报警已发送 / emergency sent';
      case 'rtp-dropped':
        return `[rtp] dropped in the last minute: ${JSON.stringify(e.since)}`;
      case 'driver-error':
        return `[driver] ${e.message}`;
    }
  };
  const drivers = createDrivers(config, (message) => out(`[driver] ${message}`));
  const agent = new RadioAgent({
    url: config.url,
    id: config.id,
    secret: config.secret,
    drivers,
    timing: config.timing,
    rtpPort: config.rtpPort,
    mqtt5: config.mqtt5,
    mqtt: config.caFile ? { ca: readFileSync(config.caFile) } : undefined,
    event: (e) => {
      const line = describe(e);
      if (line) out(line);
    },
  });

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await agent.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === 'e' || cmd === 'emergency' || cmd === '紧急') {
      if (!agent.emergency()) out('[emergency] 刚刚已发送 / just sent; held off for 2 s');
    } else if (cmd === 's' || cmd === 'stats') out(JSON.stringify(agent.stats));
    else if (cmd === 'quit' || cmd === 'q') void shutdown(0);
    else out('commands: "e" = emergency; "s" = stats; "quit"');
  });
  rl.on('close', () => undefined);

  out(
    `一呼百应 radio gateway ${config.id}: audio ${config.audio.driver}, PTT ${config.ptt.driver}, COR ${config.cor.driver}`,
  );
  void agent.start().then(() => out(`[rtp] listening on UDP ${agent.rtpPort}, ssrc ${agent.ssrc}`));
}

main();
