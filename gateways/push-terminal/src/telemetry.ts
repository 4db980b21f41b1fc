import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerminalTelemetry } from '#contracts';

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/**
 * Power from Linux's power-supply class (/sys/class/power_supply): mains when any AC/USB
 * supply is online or there is no battery at all, battery otherwise, with the battery's
 * capacity. The link is what the installer configured (lan, satellite, lte, ...).
 */
export function readTelemetry(link: string, root = '/sys/class/power_supply'): TerminalTelemetry {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return { power: 'mains', link };
  }
  let mainsOnline = false;
  let battery: number | undefined;
  for (const name of names) {
    const type = read(join(root, name, 'type'));
    if (type === 'Battery') {
      const capacity = Number(read(join(root, name, 'capacity')));
      if (Number.isFinite(capacity)) battery = Math.max(0, Math.min(100, capacity));
    } else if (read(join(root, name, 'online')) === '1') {
      mainsOnline = true;
    }
  }
  const power = mainsOnline || battery === undefined ? 'mains' : 'battery';
  return { power, ...(battery !== undefined ? { battery } : {}), link };
}
