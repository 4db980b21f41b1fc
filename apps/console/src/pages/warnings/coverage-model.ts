import type { WarningCoverageView } from '#contracts';

/** "96%" of a share, floored (95.9% is not yet the 96% goal); "—" when there is nothing to share. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${Math.floor((part / whole) * 100)}%`;
}

/** Delivery seconds as read on the screen: one decimal under a minute, whole seconds above. */
export function seconds(v: number | null): string {
  if (v === null) return '—';
  return v < 60 ? v.toFixed(1) : String(Math.round(v));
}

/** Lead time in whole minutes (negative: onset before publication); null until published. */
export function leadMinutes(c: Pick<WarningCoverageView, 'leadTimeSeconds'>): number | null {
  return c.leadTimeSeconds === null ? null : Math.trunc(c.leadTimeSeconds / 60);
}

/** The rows of the coverage table: each channel's reach against the targets. */
export function channelRows(
  c: WarningCoverageView,
): { channel: 'console' | 'terminal' | 'radio'; n: number; share: string }[] {
  return (['console', 'terminal', 'radio'] as const).map((channel) => ({
    channel,
    n: c.byChannel[channel],
    share: percent(c.byChannel[channel], c.targets),
  }));
}
