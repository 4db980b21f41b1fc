import type { SpotCheckTargetView, SpotCheckView } from '#contracts';
import type { SpotCheckRow, TargetRow } from './spot-checks.repository.js';

export function targetView(t: TargetRow): SpotCheckTargetView {
  return {
    siteId: t.site_id,
    siteName: t.site_name,
    state: t.state,
    answeredAt: t.answered_at?.toISOString() ?? null,
    latencyMs: t.latency_ms,
    channel: t.channel,
    answeredBy: t.answered_by,
    onRoster: t.on_roster,
  };
}

export function checkView(c: SpotCheckRow, targets: TargetRow[]): SpotCheckView {
  return {
    id: c.id,
    createdAt: c.created_at.toISOString(),
    deadline: c.deadline.toISOString(),
    windowSeconds: c.window_seconds,
    channels: c.channels,
    drill: c.drill,
    drillId: c.drill_id,
    scheduleId: c.schedule_id,
    targets: targets.map(targetView),
  };
}
