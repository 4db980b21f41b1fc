import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirLock } from './data-dir-lock.js';

/**
 * A real PostgreSQL engine (PGlite) inside this process, persisted under DATA_DIR and
 * served on the wire protocol over a private unix socket, so TypeORM and pg use the same
 * code path as against a PostgreSQL server.
 *
 * PGlite has ONE session behind its socket: every connection shares it. The data source
 * therefore uses a pool of one connection in embedded mode, so a transaction can never
 * interleave with another caller's statements (see STACK.md).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lock: DataDirLock,
    /** directory holding the socket file; pg's `host` */
    readonly socketDir: string,
    readonly dataPath: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const lock = DataDirLock.acquire(dataDir);
    try {
      const dataPath = join(dataDir, 'pgdata');
      const db = await PGlite.create(dataPath);
      // Unix socket paths are limited to ~107 bytes, so the socket lives in a short,
      // private directory derived from the data dir rather than inside it.
      const socketDir = join(
        tmpdir(),
        `yihu-pg-${createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}`,
      );
      rmSync(socketDir, { recursive: true, force: true });
      mkdirSync(socketDir, { recursive: true, mode: 0o700 });
      const server = new PGLiteSocketServer({
        db,
        path: join(socketDir, '.s.PGSQL.5432'),
        maxConnections: 4,
      });
      await server.start();
      return new EmbeddedPostgres(db, server, lock, socketDir, dataPath);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      rmSync(this.socketDir, { recursive: true, force: true });
      this.lock.release();
    }
  }
}
