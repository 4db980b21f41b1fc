import type { TeamView } from '#contracts';
import type { TeamRow } from './teams.repository.js';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export function toTeamView(t: TeamRow): TeamView {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    siteId: t.site_id,
    siteName: t.site_name,
    leaderName: t.leader_name,
    leaderPhone: t.leader_phone,
    leaderUserId: t.leader_user_id,
    headcount: t.headcount,
    equipment: t.equipment,
    assembleMinutes: t.assemble_minutes,
    status: t.status,
    lastVerifiedAt: iso(t.last_verified_at),
    lastAlert: t.alert_id
      ? {
          id: t.alert_id,
          directiveId: t.alert_directive_id!,
          responseId: t.alert_response_id,
          drillId: t.alert_drill_id,
          incidentId: t.alert_incident_id,
          createdAt: iso(t.alert_created_at)!,
          releasedAt: iso(t.alert_released_at),
        }
      : null,
    createdAt: iso(t.created_at)!,
    updatedAt: iso(t.updated_at)!,
  };
}
