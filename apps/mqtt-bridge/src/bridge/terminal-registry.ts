import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TERMINAL_ID_PATTERN } from '#contracts';
import { EventBus } from '#platform';
import { verifyTerminalSecret } from '#terminals';
import { TERMINALS_CHANGED, type TerminalsChanged } from '#terminals';
import type { RejectReason } from './bridge-metrics.js';

interface Credential {
  hash: string;
  siteId: string;
  kind: 'push' | 'radio';
  revoked: boolean;
}

/**
 * Terminal credentials in memory, so 10,000 CONNECTs after an outage cost no query each.
 * Provisioning announces every change on the bus; a failed check re-reads the row once in
 * case a rotation's notice has not arrived yet.
 */
@Injectable()
export class TerminalRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly credentials = new Map<string, Credential>();
  private readonly revokedListeners: ((id: string) => void)[] = [];
  private readonly changedListeners: ((id: string) => void)[] = [];
  private readonly withdrawnListeners: ((id: string) => void)[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    const rows = (await this.dataSource.query(
      'SELECT id, site_id, kind, secret_hash, revoked_at IS NOT NULL AS revoked FROM terminals',
    )) as { id: string; site_id: string; kind: 'push' | 'radio'; secret_hash: string; revoked: boolean }[];
    for (const r of rows)
      this.credentials.set(r.id, {
        hash: r.secret_hash,
        siteId: r.site_id,
        kind: r.kind,
        revoked: r.revoked,
      });
    this.unsubscribe = await this.bus.subscribe<TerminalsChanged>(
      TERMINALS_CHANGED,
      (m) => void this.changed(m),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  onRevoked(listener: (id: string) => void): void {
    this.revokedListeners.push(listener);
  }

  /**
   * revoked, or its secret rotated: a connection made with the old secret must end (the
   * embedded broker closes it; Mosquitto drops it itself when it reloads the password file)
   */
  onCredentialsWithdrawn(listener: (id: string) => void): void {
    this.withdrawnListeners.push(listener);
  }

  onChanged(listener: (id: string) => void): void {
    this.changedListeners.push(listener);
  }

  kindOf(id: string): 'push' | 'radio' | undefined {
    return this.credentials.get(id)?.kind;
  }

  siteOf(id: string): string | undefined {
    return this.credentials.get(id)?.siteId;
  }

  isLive(id: string): boolean {
    const c = this.credentials.get(id);
    return !!c && !c.revoked;
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<RejectReason | null> {
    // [MQTT-3.1.3-8] allows refusing any client identifier; ours must be the terminal id, and equal the username
    if (username !== clientId) return username ? 'client_id_mismatch' : 'auth_failed';
    if (!TERMINAL_ID_PATTERN.test(clientId) || !password?.length) return 'auth_failed';
    const secret = password.toString('utf8');
    let credential = this.credentials.get(clientId);
    if (!credential || (!credential.revoked && !verifyTerminalSecret(secret, credential.hash))) {
      credential = await this.load(clientId);
    }
    if (!credential || credential.revoked || !verifyTerminalSecret(secret, credential.hash))
      return 'auth_failed';
    return null;
  }

  private async load(id: string): Promise<Credential | undefined> {
    const rows = (await this.dataSource.query(
      'SELECT site_id, kind, secret_hash, revoked_at IS NOT NULL AS revoked FROM terminals WHERE id = $1',
      [id],
    )) as { site_id: string; kind: 'push' | 'radio'; secret_hash: string; revoked: boolean }[];
    const row = rows[0];
    if (!row) {
      this.credentials.delete(id);
      return undefined;
    }
    const credential = { hash: row.secret_hash, siteId: row.site_id, kind: row.kind, revoked: row.revoked };
    this.credentials.set(id, credential);
    return credential;
  }

  private async changed(message: TerminalsChanged): Promise<void> {
    await this.load(message.id);
    if (message.revoked) for (const l of this.revokedListeners) l(message.id);
    // after load(): the device that reconnects at once meets the new secret
    if (message.revoked || message.rotated) for (const l of this.withdrawnListeners) l(message.id);
    for (const l of this.changedListeners) l(message.id);
  }
}
