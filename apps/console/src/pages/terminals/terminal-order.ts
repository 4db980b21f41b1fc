import type { TerminalView } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';

/** Below this charge a terminal on battery may not last the night: flagged and listed first. */
export const LOW_BATTERY_PERCENT = 20;

export type TerminalFlag = 'offline' | 'never' | 'lowBattery' | 'revoked';

/** A flag in the reader's words. */
export const FLAG_LABEL: Record<TerminalFlag, MessageKey> = {
  offline: 'offline',
  never: 'never',
  lowBattery: 'record.term.lowBattery',
  revoked: 'record.term.revoked',
};

/** What needs a look, most urgent first: an offline or never-seen terminal, then a low battery. */
export function flagsOf(tm: TerminalView): TerminalFlag[] {
  if (tm.revoked) return ['revoked'];
  const flags: TerminalFlag[] = [];
  if (tm.presence === 'offline') flags.push('offline');
  if (tm.presence === 'never') flags.push('never');
  const battery = tm.telemetry?.battery;
  if (battery !== undefined && battery < LOW_BATTERY_PERCENT) flags.push('lowBattery');
  return flags;
}

function rank(tm: TerminalView): number {
  if (tm.revoked) return 4;
  const f = flagsOf(tm);
  if (f.includes('offline')) return 0;
  if (f.includes('lowBattery')) return 1;
  if (f.includes('never')) return 2;
  return 3;
}

/** Offline and low-battery terminals first (a duty room chases these), then by site and name. */
export function orderTerminals(list: TerminalView[], siteName: (id: string) => string): TerminalView[] {
  return [...list].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.telemetry?.battery ?? 101) - (b.telemetry?.battery ?? 101) ||
      siteName(a.siteId).localeCompare(siteName(b.siteId), 'zh-CN') ||
      a.name.localeCompare(b.name, 'zh-CN'),
  );
}

const LINK_KEYS: Record<string, MessageKey> = {
  lan: 'record.link.lan',
  ethernet: 'record.link.lan',
  wired: 'record.link.lan',
  lte: 'record.link.lte',
  '4g': 'record.link.lte',
  '5g': 'record.link.5g',
  nr: 'record.link.5g',
  satellite: 'record.link.satellite',
  wifi: 'record.link.wifi',
  radio: 'record.link.radio',
};

/** A device's link name ("lan", "lte", "satellite") in the reader's words; unknown names as sent. */
export function linkLabel(link: string | undefined, t: (k: MessageKey) => string): string {
  if (!link) return '—';
  const key = LINK_KEYS[link.toLowerCase()];
  return key ? t(key) : link;
}

export type SiteTone = 'alert' | 'warn' | 'ok' | 'idle';

/**
 * A site's colour on the terminals map, from its terminals (revoked ones left out): red if
 * any is offline or never came online, orange for a low battery, green when all are
 * online, grey with none. The words say the same for readers who do not see the colour.
 */
export function siteTerminalTone(terminals: TerminalView[]): { tone: SiteTone; key: MessageKey } {
  const live = terminals.filter((tm) => !tm.revoked);
  if (live.length === 0) return { tone: 'idle', key: 'map.noTerminal' };
  const flags = live.flatMap(flagsOf);
  if (flags.includes('offline')) return { tone: 'alert', key: 'offline' };
  if (flags.includes('never')) return { tone: 'alert', key: 'never' };
  if (flags.includes('lowBattery')) return { tone: 'warn', key: 'record.term.lowBattery' };
  return { tone: 'ok', key: 'online' };
}
