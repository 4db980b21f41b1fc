import { DIRECTIVE_JOBS, type DirectiveDeliveryJob } from '#contracts';
import type { JobQueue } from '#platform';
import type { RadioAir } from '../radio-air.js';

/** the job's data: a directive delivery, or the retry (or hand-over) of one talkgroup's broadcast */
export interface RadioBroadcastJob extends DirectiveDeliveryJob {
  retryTalkgroupId?: string;
  /** how many times this talkgroup's broadcast was handed to another instance */
  forwards?: number;
}

/** hand-overs of one talkgroup's broadcast before it is tried here (and fails, and backs off) */
const MAX_FORWARDS = 3;
/** when a hand-over is looked at again, should its instance be gone */
const FOLLOW_UP_MS = 90_000;

/** The job name only this instance handles: a broadcast for a talkgroup its media carries. */
export const broadcastJobFor = (instanceId: string) => `${DIRECTIVE_JOBS.broadcastRadio}@${instanceId}`;

/**
 * In a cluster, a talkgroup's audio can go on air only from the instance that hosts its
 * media (the lease), but the broadcast job lands on any instance. Without this, a job on
 * another instance failed ("hosted by another instance"), backed off and, with retries spent
 * on the wrong instances, reported the sites failed via radio. Such a talkgroup's broadcast
 * is handed to its host's own job name, with a follow-up on the shared name that looks again
 * later: if the host died first, the follow-up finds the new host (or hosts it here); if the
 * broadcast went out, its claim makes the follow-up a no-op.
 */
export class BroadcastForwarding {
  constructor(
    private readonly jobs: JobQueue,
    private readonly instanceId: string,
  ) {}

  /** The talkgroups this instance should play; the rest are handed to their hosts. */
  async route(air: RadioAir, job: RadioBroadcastJob, byTalkgroup: Map<string, string[]>): Promise<void> {
    if ((job.forwards ?? 0) >= MAX_FORWARDS) return;
    for (const talkgroupId of [...byTalkgroup.keys()]) {
      const host = await air.hostOf(talkgroupId);
      if (!host || host === this.instanceId) continue;
      byTalkgroup.delete(talkgroupId);
      const forwards = (job.forwards ?? 0) + 1;
      const handed: RadioBroadcastJob = { ...job, retryTalkgroupId: talkgroupId, forwards };
      const key = `radio-broadcast:${job.messageId}:${talkgroupId}:fwd${forwards}`;
      await this.jobs.add<RadioBroadcastJob>(broadcastJobFor(host), handed, { key: `${key}:${host}` });
      await this.jobs.add<RadioBroadcastJob>(DIRECTIVE_JOBS.broadcastRadio, handed, {
        key: `${key}:follow-up`,
        delayMs: FOLLOW_UP_MS,
      });
    }
  }
}
