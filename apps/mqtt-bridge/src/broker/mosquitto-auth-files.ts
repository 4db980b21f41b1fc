import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TERMINAL_ID_PATTERN } from '#contracts';
import { AppConfig, LOGGER, StartupError } from '#platform';
import { TerminalRegistry } from '../bridge/terminal-registry.js';
import { hashTerminalSecret } from '#terminals';
import { mosquittoAclFile, mosquittoPasswordFile, type MosquittoTerminal } from './mosquitto-config.js';

/**
 * With MOSQUITTO_AUTH_DIR set, keeps `passwd` and `acl` there in step with the registry
 * (atomic rename), and with MOSQUITTO_PID_FILE makes Mosquitto reload them (SIGHUP).
 */
@Injectable()
export class MosquittoAuthFiles implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private bridgeHash: string | undefined;
  private bridgeUsernames: string[] = [];

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly registry: TerminalRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { MOSQUITTO_AUTH_DIR, MQTT_PASSWORD } = this.config.raw;
    if (!MOSQUITTO_AUTH_DIR) return;
    if (!MQTT_PASSWORD)
      throw new StartupError(
        'missing MQTT_PASSWORD: required with MOSQUITTO_AUTH_DIR (the bridge logs in to Mosquitto)',
      );
    const { MQTT_USERNAME, MOSQUITTO_BRIDGE_USERNAMES } = this.config.raw;
    this.bridgeUsernames = MOSQUITTO_BRIDGE_USERNAMES?.split(',') ?? [MQTT_USERNAME];
    if (!this.bridgeUsernames.includes(MQTT_USERNAME))
      throw new StartupError(
        `invalid MOSQUITTO_BRIDGE_USERNAMES: it must include this bridge's MQTT_USERNAME (${MQTT_USERNAME})`,
      );
    // a bridge login shaped like a terminal id would sit in passwd beside (or instead of) that terminal
    const terminalLike = this.bridgeUsernames.find((u) => TERMINAL_ID_PATTERN.test(u));
    if (terminalLike)
      throw new StartupError(
        `invalid ${MOSQUITTO_BRIDGE_USERNAMES ? 'MOSQUITTO_BRIDGE_USERNAMES' : 'MQTT_USERNAME'}: ${terminalLike} has the form of a terminal id`,
      );
    this.bridgeHash = hashTerminalSecret(MQTT_PASSWORD);
    await this.write();
    this.registry.onChanged(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(
        () =>
          void this.write().catch((err: unknown) =>
            this.logger.error({ err }, 'writing Mosquitto auth files failed'),
          ),
        200,
      );
    });
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  async write(): Promise<void> {
    const dir = this.config.raw.MOSQUITTO_AUTH_DIR!;
    const terminals = (await this.dataSource.query(
      'SELECT id, secret_hash AS "secretHash", kind FROM terminals WHERE revoked_at IS NULL ORDER BY id',
    )) as MosquittoTerminal[];
    const put = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    };
    put(
      'passwd',
      mosquittoPasswordFile(terminals, { usernames: this.bridgeUsernames, passwordHash: this.bridgeHash! }),
    );
    put(
      'acl',
      mosquittoAclFile(
        this.bridgeUsernames,
        terminals.filter((t) => t.kind === 'radio').map((t) => t.id),
        terminals.filter((t) => t.kind === 'push').map((t) => t.id),
      ),
    );
    const pidFile = this.config.raw.MOSQUITTO_PID_FILE;
    if (pidFile) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGHUP');
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, pidFile }, 'could not signal Mosquitto to reload');
      }
    }
    this.logger.info({ dir, terminals: terminals.length }, 'Mosquitto auth files written');
  }
}
