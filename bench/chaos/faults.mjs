// The seeded fault schedule: one fault every `everyMs` (±30 %), of a kind and target drawn
// from the seed, each run to its end (the process back and healthy) before the next.
import { sleep } from '../hub.mjs';
import { pick } from './random.mjs';

export const FAULT_KINDS = [
  'kill-app',
  'redis-restart',
  'mosquitto-restart',
  'postgres-restart',
  'bridge-freeze',
  'terminal-wave',
];

export function faultRunner({
  random,
  apps,
  redis,
  mosquitto,
  postgres,
  dropTerminals,
  log,
  freezeMs = 20_000,
}) {
  const faults = [];
  const bridges = apps.filter((a) => a.app === 'mqtt-bridge');
  const inject = async (kind) => {
    const f = { kind, target: '', start: Date.now(), end: 0 };
    faults.push(f);
    if (kind === 'kill-app') {
      const app = pick(random, apps);
      f.target = app.name;
      await app.kill9();
      await sleep(500 + random() * 2500);
      await app.start();
    } else if (kind === 'redis-restart') {
      await redis.restart(1000 + random() * 2000);
    } else if (kind === 'mosquitto-restart') {
      await mosquitto.restart(1000 + random() * 2000);
    } else if (kind === 'postgres-restart') {
      await postgres.restart(1000 + random() * 3000);
    } else if (kind === 'bridge-freeze') {
      const b = pick(random, bridges);
      f.target = b.name;
      b.freeze();
      await sleep(freezeMs);
      b.thaw();
    } else if (kind === 'terminal-wave') {
      const fraction = 0.1 + random() * 0.3;
      f.target = `${Math.round(fraction * 100)}% for up to 20 s`;
      f.dropped = await dropTerminals(fraction, 5000 + Math.floor(random() * 15_000));
    }
    f.end = Date.now();
    log(`fault ${kind}${f.target ? ` (${f.target})` : ''} ${((f.end - f.start) / 1000).toFixed(1)} s`);
  };
  return {
    faults,
    /**
     * Runs until `until` (epoch ms), and past it until every kind ran once (in an order the
     * seed shuffles, then drawn at random); the first fault after a quiet `everyMs`.
     */
    async run(until, everyMs) {
      const order = [...FAULT_KINDS].sort(() => random() - 0.5);
      for (let i = 0; ; i++) {
        await sleep(everyMs * (0.7 + random() * 0.6));
        if (Date.now() >= until && i >= order.length) return;
        const kind = i < order.length ? order[i] : pick(random, FAULT_KINDS);
        try {
          await inject(kind);
        } catch (err) {
          log(`fault ${kind} failed to heal: ${err.message}`);
          throw err;
        }
      }
    },
    /** was `t` inside a fault, or within `afterMs` of its end (the system catching up)? */
    during(t, afterMs = 10_000) {
      return faults.some((f) => t >= f.start && t <= (f.end || Date.now()) + afterMs);
    },
  };
}
