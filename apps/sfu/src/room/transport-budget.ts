import { DomainError } from '#platform';

export interface TransportLimits {
  perPeer: number;
  perUser: number;
  perConsultation: number;
}

/**
 * Counts WebRTC transports (each holds a UDP and a TCP port in the worker) per participant,
 * per user and per consultation on this SFU instance, those still being created included:
 * a client firing a dozen creates at once passed a check made before the worker answered.
 */
export class TransportBudget {
  private readonly byUser = new Map<string, number>();
  private readonly byRoom = new Map<string, number>();
  private readonly byPeer = new Map<string, number>();

  constructor(private readonly limits: TransportLimits) {}

  /** Takes one transport from every budget or throws naming the limit; the release is idempotent. */
  reserve(peerId: string, userId: string, consultationId: string): () => void {
    const { perPeer, perUser, perConsultation } = this.limits;
    if ((this.byPeer.get(peerId) ?? 0) >= perPeer)
      throw new DomainError('conflict', `at most ${perPeer} transports per participant`);
    if ((this.byUser.get(userId) ?? 0) >= perUser)
      throw new DomainError('conflict', `at most ${perUser} transports per user (SFU_TRANSPORTS_PER_USER)`);
    if ((this.byRoom.get(consultationId) ?? 0) >= perConsultation)
      throw new DomainError(
        'conflict',
        `at most ${perConsultation} transports per consultation (SFU_TRANSPORTS_PER_CONSULTATION)`,
      );
    const take = (m: Map<string, number>, k: string, d: number) => {
      const n = (m.get(k) ?? 0) + d;
      if (n > 0) m.set(k, n);
      else m.delete(k);
    };
    take(this.byPeer, peerId, 1);
    take(this.byUser, userId, 1);
    take(this.byRoom, consultationId, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      take(this.byPeer, peerId, -1);
      take(this.byUser, userId, -1);
      take(this.byRoom, consultationId, -1);
    };
  }
}
