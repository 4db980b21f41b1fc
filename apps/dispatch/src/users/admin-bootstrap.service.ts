import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { childPath } from '#domain';
import { AuditStore, SiteEntity, UserEntity } from '#persistence';
import { AppConfig, LOGGER, RUNTIME, type Runtime } from '#platform';
import type { Logger } from 'pino';
import { hashPassword } from '../auth/password.js';

const BOOTSTRAP_LOCK_KEY = 7_144_003;

/**
 * On the first start there is nobody to log in as: create the root command site and the
 * user `admin`, with ADMIN_PASSWORD or a generated password printed once. Instances that
 * start together take a lock so only one of them does it.
 */
@Injectable()
export class AdminBootstrapService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.runtime.afterListen.push(() => this.ensureAdmin());
  }

  async ensureAdmin(): Promise<void> {
    const given = this.config.raw.ADMIN_PASSWORD;
    const password = given ?? randomBytes(12).toString('base64url');
    const passwordHash = await hashPassword(password);
    const created = await this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      const exists = await tx
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where("lower(u.username) = 'admin'")
        .getExists();
      if (exists) return false;
      const sites = tx.getRepository(SiteEntity);
      let root = await sites.findOne({
        where: { kind: 'command', parentId: IsNull() },
        order: { createdAt: 'ASC' },
      });
      if (!root) {
        const id = randomUUID();
        root = await sites.save(
          sites.create({
            id,
            name: this.config.raw.ROOT_SITE_NAME,
            kind: 'command',
            parentId: null,
            regionCode: null,
            path: childPath(null, id),
          }),
        );
      }
      const users = tx.getRepository(UserEntity);
      const admin = await users.save(
        users.create({
          id: randomUUID(),
          username: 'admin',
          displayName: null,
          passwordHash,
          role: 'admin',
          siteId: root.id,
        }),
      );
      await this.audit.append(
        {
          actorId: null,
          action: 'system.bootstrap',
          subjectType: 'user',
          subjectId: admin.id,
          data: { rootSiteId: root.id },
        },
        tx,
      );
      return true;
    });
    if (!created) return;
    this.logger.info('created the first user, admin');
    if (!given) {
      // Printed once, outside the JSON log stream, so log shipping never carries it.
      process.stdout.write(
        `\n  yihu: first start. Log in as "admin" with password: ${password}\n  It is not shown again; set ADMIN_PASSWORD to choose it yourself.\n\n`,
      );
    }
  }
}
