import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sine } from '#radio';
import { RadioSimulator, type SimulatedGateway } from './simulator.js';

/**
 * N simulated radio gateways against a hub:
 * `node dist/gateways/radio-agent/src/simulate.js --url mqtt://127.0.0.1:1883 --gateways gw.json --count 20 --talk-every 30`
 * gw.json = `[{"id":"t…","secret":"…"}, …]` (radio terminals from provisioning). With
 * --talk-every S each gateway, at random within every S seconds, "talks" 2 s of a 1 kHz
 * tone. Prints every gateway's counters each 10 s; Ctrl-C stops cleanly.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      gateways: { type: 'string' },
      count: { type: 'string' },
      'talk-every': { type: 'string' },
    },
  });
  if (!values.url || !values.gateways) {
    process.stderr.write(
      'usage: simulate.js --url mqtt://host:port --gateways gw.json [--count N] [--talk-every S]\n',
    );
    process.exit(2);
  }
  const all = JSON.parse(readFileSync(values.gateways, 'utf8')) as SimulatedGateway[];
  const count = values.count ? Number(values.count) : all.length;
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    process.stderr.write(`--count must be 1..${all.length}\n`);
    process.exit(2);
  }
  const sim = new RadioSimulator({ url: values.url, gateways: all.slice(0, count) });
  await sim.start();
  process.stdout.write(`${count} gateways joined\n`);
  const talkEvery = values['talk-every'] ? Number(values['talk-every']) * 1000 : 0;
  const timers: NodeJS.Timeout[] = [];
  if (talkEvery > 0)
    for (const gw of sim.gateways)
      timers.push(
        setInterval(
          () => setTimeout(() => void gw.transmit(sine(1000, 2000)), Math.random() * talkEvery),
          talkEvery,
        ),
      );
  timers.push(
    setInterval(() => {
      for (const gw of sim.gateways) {
        const s = gw.stats;
        process.stdout.write(
          `${gw.id} ptt=${gw.keyed.on ? 1 : 0} sent=${s.media.sent} unsent=${s.media.unsent} recv=${s.media.received} played=${s.tx.framesPlayed} ` +
            `dropped=${JSON.stringify(s.media.dropped)} unkeys=${JSON.stringify(s.tx.unkeys)}\n`,
        );
      }
    }, 10_000),
  );
  const stop = async () => {
    timers.forEach(clearInterval);
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
