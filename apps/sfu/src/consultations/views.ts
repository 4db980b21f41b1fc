import type { AttendanceView, RecordingView, RollCallView } from '#contracts';
import { missingRollCallSites } from '#domain';
import type {
  ConsultationAttendanceEntity,
  RecordingEntity,
  RollCallAnswerEntity,
  RollCallEntity,
} from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** shared with the dispatch app's responses (docs/plans.md) */
export { consultationView } from '#platform';

export function attendanceView(a: ConsultationAttendanceEntity): AttendanceView {
  return {
    userId: a.userId,
    siteId: a.siteId,
    joinedAt: a.joinedAt.toISOString(),
    leftAt: iso(a.leftAt),
    leftReason: a.leftReason,
  };
}

export function rollCallView(r: RollCallEntity, answers: RollCallAnswerEntity[]): RollCallView {
  const mine = answers
    .filter((a) => a.rollCallId === r.id)
    .sort((a, b) => a.answeredAt.getTime() - b.answeredAt.getTime());
  return {
    id: r.id,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    closedAt: iso(r.closedAt),
    siteIds: r.siteIds,
    answers: mine.map((a) => ({
      siteId: a.siteId,
      userId: a.userId,
      answeredAt: a.answeredAt.toISOString(),
    })),
    missing: missingRollCallSites(
      r.siteIds,
      mine.map((a) => a.siteId),
    ),
  };
}

export function recordingView(r: RecordingEntity): RecordingView {
  return {
    id: r.id,
    consultationId: r.consultationId,
    state: r.state,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    stoppedAt: iso(r.stoppedAt),
    files: r.files,
    error: r.error,
  };
}
