import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TerminalAgent } from './agent.js';
import { Backoff } from './backoff.js';
import { MemoryInbox, type InboxEntry } from './inbox.js';

export interface SimulatedTerminal {
  id: string;
  secret: string;
}

export interface Arrival {
  terminalId: string;
  messageId: string;
  directiveId: string;
  topic: 'directives' | 'notices';
  /** Date.now() when the message reached the simulated device */
  at: number;
}

export interface SimulatorOptions {
  url: string;
  terminals: SimulatedTerminal[];
  /** simulated person: 签收 this long after a directive is shown; undefined = never */
  acknowledgeAfterMs?: number;
  /** CONNECTs in flight at once (10,000 at once is a SYN flood, not a test) */
  connectConcurrency?: number;
  telemetry?: boolean;
}

/**
 * N push terminals in one process, for tests and benchmarks: each is a full TerminalAgent
 * (same protocol code as the real agent) with an in-memory inbox, so it de-duplicates,
 * acks `received`, and 签收s like a person would when asked to.
 */
export class Simulator {
  readonly agents: TerminalAgent[] = [];
  readonly arrivals: Arrival[] = [];
  /** every show() per terminal and messageId: a device that shows a message twice is a bug */
  readonly shows = new Map<string, number>();
  private readonly listeners: ((a: Arrival) => void)[] = [];

  constructor(private readonly options: SimulatorOptions) {}

  onArrival(listener: (a: Arrival) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    const { terminals, connectConcurrency = 200 } = this.options;
    let next = 0;
    const worker = async () => {
      while (next < terminals.length) {
        const t = terminals[next++]!;
        const agent = this.create(t);
        this.agents.push(agent);
        await agent.start();
      }
    };
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, terminals.length) }, worker));
  }

  private create(t: SimulatedTerminal): TerminalAgent {
    const inbox = new MemoryInbox();
    const agent: TerminalAgent = new TerminalAgent({
      url: this.options.url,
      id: t.id,
      secret: t.secret,
      inbox,
      backoff: new Backoff(200, 5000),
      telemetry: this.options.telemetry ? () => ({ power: 'mains', link: 'lan' }) : undefined,
      mqtt: { keepalive: 300 },
      hooks: { show: (entry) => this.shown(agent, entry) },
    });
    return agent;
  }

  private shown(agent: TerminalAgent, entry: InboxEntry): void {
    const at = Date.now();
    const key = `${agent.id}/${entry.message.messageId}`;
    this.shows.set(key, (this.shows.get(key) ?? 0) + 1);
    const arrival: Arrival = {
      terminalId: agent.id,
      messageId: entry.message.messageId,
      directiveId: entry.message.directiveId,
      topic: entry.topic,
      at,
    };
    this.arrivals.push(arrival);
    for (const l of this.listeners) l(arrival);
    const delay = this.options.acknowledgeAfterMs;
    if (entry.topic !== 'directives' || delay === undefined) return;
    if (delay <= 0) agent.acknowledge(entry.message.messageId);
    else setTimeout(() => agent.acknowledge(entry.message.messageId), delay).unref();
  }

  connectedCount(): number {
    return this.agents.filter((a) => a.connected).length;
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()));
  }

  /** drops every link without a word (the hub sees Wills, as after a power cut) */
  kill(): void {
    for (const a of this.agents) a.kill();
  }
}

// `node dist/gateways/push-terminal/src/simulator.js <url> <terminals.json> [ackAfterMs]`:
// terminals.json is [{"id": "...", "secret": "..."}, ...]; prints each arrival.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, file, ack] = process.argv.slice(2);
  if (!url || !file) {
    process.stderr.write('usage: simulator.js <mqtt-url> <terminals.json> [acknowledgeAfterMs]\n');
    process.exit(2);
  }
  const terminals = JSON.parse(readFileSync(file, 'utf8')) as SimulatedTerminal[];
  const sim = new Simulator({
    url,
    terminals,
    acknowledgeAfterMs: ack === undefined ? undefined : Number(ack),
    telemetry: true,
  });
  sim.onArrival((a) =>
    process.stdout.write(`${new Date(a.at).toISOString()} ${a.terminalId} ${a.topic} ${a.messageId}\n`),
  );
  await sim.start();
  process.stdout.write(`${terminals.length} terminals connected\n`);
  process.on('SIGINT', () => void sim.stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
}
