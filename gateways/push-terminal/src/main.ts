import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TerminalAgent } from './agent.js';
import { ConfigError, loadAgentConfig, type AgentConfig } from './config.js';
import { FileInbox } from './inbox.js';
import { Speaker } from './speaker.js';
import { readTelemetry } from './telemetry.js';
import { safeLine } from './sanitize.js';
import { renderAcknowledged, renderEntry, renderPending, spokenText } from './view.js';

/**
 * The 一呼百应 push-terminal agent for a small Linux box: `node dist/gateways/push-terminal/src/main.js`
 * with YIHU_MQTT_URL, YIHU_TERMINAL_ID and YIHU_TERMINAL_SECRET (see its README).
 * Console commands: Enter (or `a`) = 签收 the oldest waiting directive; `ack N` = 签收 the
 * N-th waiting one (or a messageId); `list`; `quit`.
 */
function main(): void {
  let config: AgentConfig;
  try {
    config = loadAgentConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`push-terminal: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // a line built from the network (a broker's error, a topic): nothing in it may drive the screen
  const note = (line: string) => out(safeLine(line));
  const color = !!process.stdout.isTTY;
  const inbox = new FileInbox(config.inboxDir);
  const speaker = new Speaker('espeak-ng', 'cmn', (m) => note(`[speech] ${m}`));
  if (config.speech && !speaker.available) out('[speech] espeak-ng is not installed: showing only');
  const agent = new TerminalAgent({
    url: config.url,
    id: config.id,
    secret: config.secret,
    inbox,
    mqtt5: config.mqtt5,
    mqtt: config.caFile ? { ca: readFileSync(config.caFile) } : undefined,
    telemetry: () => readTelemetry(config.link),
    hooks: {
      show: (entry) => {
        out(renderEntry(entry, color));
        if (config.speech) speaker.say(spokenText(entry));
      },
      event: (e) => {
        if (e.type === 'connected') note(`[link] connected to ${new URL(config.url).host} as ${config.id}`);
        else if (e.type === 'disconnected')
          note(`[link] disconnected; retrying in ${Math.round(e.retryInMs / 100) / 10} s`);
        else if (e.type === 'error') note(`[link] ${e.message}`);
        else if (e.type === 'rejected') note(`[input] ignored a message on ${e.topic}: ${e.reason}`);
      },
    },
  });

  const listPending = () => {
    const pending = agent.pending();
    if (!pending.length) return out('没有待签收的指令 / nothing waiting for 签收');
    pending.forEach((e, i) => {
      const line = renderPending(e, i + 1);
      if (line) out(line);
    });
  };
  const ack = (which?: string) => {
    const pending = agent.pending();
    const n = which && /^\d+$/.test(which) ? Number(which) : undefined;
    const messageId = n ? pending[n - 1]?.message.messageId : which;
    if (n && !messageId) return out(`没有第 ${n} 条 / no waiting directive number ${n}`);
    const done = agent.acknowledge(messageId);
    if (!done.length) return out('没有可签收的指令 / nothing to acknowledge');
    for (const e of done) {
      const line = renderAcknowledged(e);
      if (line) out(line);
    }
  };

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await agent.stop();
    inbox.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd = '', arg] = line.trim().split(/\s+/);
    if (cmd === '' || cmd === 'a' || cmd === 'ack' || cmd === '签收') ack(arg);
    else if (cmd === 'list' || cmd === 'l') listPending();
    else if (cmd === 'quit' || cmd === 'q') void shutdown(0);
    else out('commands: Enter or "a" = 签收 the oldest; "ack N"; "list"; "quit"');
  });
  // no console attached (a daemon): keep running on the network alone
  rl.on('close', () => undefined);

  out(`一呼百应 terminal ${config.id}: inbox ${config.inboxDir}, ${agent.pending().length} waiting for 签收`);
  void agent.start();
}

main();
