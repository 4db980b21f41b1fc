import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditStore } from '#persistence';
import { oggOpusExtent } from '#radio';
import type { RadioStateStore } from './radio-state.store.js';
import type { TalkgroupsRepository } from './talkgroups.repository.js';

/**
 * Transmissions a stopped hub left open (kill -9, a crash, a lost host) are closed as
 * `interrupted`, with the length of what their file holds. One still on a floor is live
 * somewhere — unless this very instance hosted it before it restarted (its lease is ours).
 * On a dead instance's floor, the Redis key's expiry (transmit timeout + hang + 5 s) ends it.
 */
export async function closeAbandoned(deps: {
  repo: TalkgroupsRepository;
  state: RadioStateStore;
  audit: AuditStore;
  logger: Logger;
  dataDir: string;
  instanceId: string;
  /** transmissions this instance is recording right now */
  live: (talkgroupId: string) => string | null;
}): Promise<number> {
  let closedCount = 0;
  for (const row of await deps.repo.openTransmissions()) {
    if (deps.live(row.talkgroup_id) === row.id) continue;
    const s = await deps.state.floor(row.talkgroup_id);
    if (s.holder?.transmissionId === row.id) {
      if ((await deps.state.leaseOwner(row.talkgroup_id)) !== deps.instanceId) continue;
      await deps.state.updateFloor(row.talkgroup_id, (cur) => ({
        state: cur.holder?.transmissionId === row.id ? { holder: null, hang: null } : cur,
        result: null,
      }));
    }
    // the file is on the disk of the instance that hosted it; elsewhere its length is unknown
    const file = row.audio_path ? join(deps.dataDir, row.audio_path) : null;
    const local = Boolean(file && existsSync(file));
    const { bytes, durationMs } = !local
      ? { bytes: 0, durationMs: null }
      : file!.endsWith('.opus')
        ? oggOpusExtent(readFileSync(file!))
        : wavExtent(statSync(file!).size);
    const closed = await deps.repo.closeTransmission(row.id, { bytes, durationMs, interrupted: true });
    if (!closed) continue;
    closedCount += 1;
    await deps.audit.append({
      actorId: null,
      action: 'radio.transmission',
      subjectType: 'talkgroup',
      subjectId: row.talkgroup_id,
      data: { transmissionId: row.id, reason: 'interrupted', durationMs, bytes },
    });
    deps.logger.warn(
      { transmissionId: row.id },
      'radio transmission left open by a stop: closed as interrupted',
    );
  }
  return closedCount;
}

/** a WAV's audio bytes and length from its size (A-law, 8 kHz: 8 bytes a millisecond) */
function wavExtent(size: number): { bytes: number; durationMs: number } {
  const bytes = Math.max(size - 44, 0);
  return { bytes, durationMs: Math.round(bytes / 8) };
}
