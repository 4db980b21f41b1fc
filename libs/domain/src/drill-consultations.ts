import type { DrillConsultationView } from '#contracts';

/** A 视频会商 held in a drill, as read from its record and attendance (DrillReportRepository). */
export interface DrillConsultationRow {
  id: string;
  title: string;
  state: 'scheduled' | 'live' | 'ended';
  createdAt: Date;
  scheduledAt: Date | null;
  endedAt: Date | null;
  siteIds: string[];
  /** each site's first join (one row per site that joined; a rejoin is not a new answer) */
  joins: { siteId: string; joinedAt: Date }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The drill's consultations for the report: per consultation its invited sites among those
 * the reader sees (in the drill's order), when each joined and how fast. "How fast" counts
 * from the invitation (the scheduled time of one set for later, else its creation), so a
 * consultation called for 10:00 does not count the hour before as slowness; a join before
 * that moment is 0 s. The start is the first join of anyone, since a consultation goes live
 * when someone joins it; sites outside the drill count neither here nor in the totals.
 */
export function consultationsOfDrill(
  rows: DrillConsultationRow[],
  sites: { id: string; name: string }[],
): DrillConsultationView[] {
  return [...rows]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
    .map((c) => {
      const invitedAt =
        c.scheduledAt && c.scheduledAt.getTime() > c.createdAt.getTime() ? c.scheduledAt : c.createdAt;
      const firstJoin = new Map<string, Date>();
      for (const j of c.joins) {
        const seen = firstJoin.get(j.siteId);
        if (!seen || j.joinedAt.getTime() < seen.getTime()) firstJoin.set(j.siteId, j.joinedAt);
      }
      const invited = new Set(c.siteIds);
      const rowsOf = sites
        .filter((s) => invited.has(s.id))
        .map((s) => {
          const at = firstJoin.get(s.id) ?? null;
          return {
            siteId: s.id,
            siteName: s.name,
            joinedAt: iso(at),
            joinSeconds: at ? Math.max(0, Math.round((at.getTime() - invitedAt.getTime()) / 1000)) : null,
          };
        });
      const starts = c.joins.map((j) => j.joinedAt.getTime());
      return {
        id: c.id,
        title: c.title,
        state: c.state,
        createdAt: c.createdAt.toISOString(),
        scheduledAt: iso(c.scheduledAt),
        invitedAt: invitedAt.toISOString(),
        startedAt: starts.length ? new Date(Math.min(...starts)).toISOString() : null,
        endedAt: iso(c.endedAt),
        invited: rowsOf.length,
        joined: rowsOf.filter((s) => s.joinedAt !== null).length,
        sites: rowsOf,
      };
    });
}
