import type { RadioEmergencyView, TalkgroupFloorView, TransmissionView } from '#contracts';
import type { FloorState } from '#radio';
import type { EmergencyRow, TransmissionRow } from './talkgroups.repository.js';

export function floorView(state: FloorState): TalkgroupFloorView | null {
  const h = state.holder;
  return h ? { talker: h.talker, since: new Date(h.since).toISOString() } : null;
}

export function transmissionView(r: TransmissionRow): TransmissionView {
  return {
    id: r.id,
    talkgroupId: r.talkgroup_id,
    talker: { kind: r.talker_kind, id: r.talker_id, name: r.talker_name },
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    durationMs: r.duration_ms,
    directiveId: r.directive_id,
    interrupted: r.interrupted,
    audioUrl: `/api/v1/transmissions/${r.id}/audio`,
  };
}

export function emergencyView(r: EmergencyRow): RadioEmergencyView {
  return {
    id: r.id,
    talkgroupId: r.talkgroup_id,
    terminalId: r.terminal_id,
    transmissionId: r.transmission_id,
    raisedAt: new Date(r.raised_at).toISOString(),
    ackedAt: r.acked_at ? new Date(r.acked_at).toISOString() : null,
    ackedBy: r.acked_by,
  };
}
