import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, QueryFailedError } from 'typeorm';
import { SFU_NOTIFICATIONS as N, type RecordingView } from '#contracts';
import type { Actor } from '#domain';
import { RecordingEntity } from '#persistence';
import { AppConfig, DomainError, LOGGER } from '#platform';
import { SfuRealtime } from '../realtime.js';
import { ConsultationsService } from '../consultations/consultations.service.js';
import { RoomsService } from '../room/rooms.service.js';
import { recordingView } from '../consultations/views.js';
import { reapOrphans } from './orphans.js';
import { RecordingSession } from './recording-session.js';

/**
 * Another instance (or a request racing this one) started a recording of the consultation
 * first: the partial unique index allows one row in state 'recording' per consultation.
 */
function isOneActiveViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const { code, constraint } = err.driverError as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'consultation_recordings_one_active';
}

/** Start, stop and list recordings; one running recording per consultation. */
@Injectable()
export class RecordingsService implements OnApplicationBootstrap {
  private readonly sessions = new Map<string, RecordingSession>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly rooms: RoomsService,
    private readonly realtime: SfuRealtime,
    private readonly consultations: ConsultationsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // a crash left these half-written: end their ffmpeg, keep what it wrote, and list it
    for (const note of await reapOrphans(this.config.dataDir)) {
      await this.dataSource.query(
        `UPDATE consultation_recordings SET files = files || $2::jsonb WHERE id = $1 AND NOT files @> $2::jsonb`,
        [note.recordingId, JSON.stringify([note.file])],
      );
    }
    await this.dataSource.query(
      `UPDATE consultation_recordings SET state = 'interrupted', stopped_at = now() WHERE state = 'recording'`,
    );
    this.rooms.onMediaChanged((room) => this.sessions.get(room.consultationId)?.changed());
    this.rooms.onRoomClosed((room, reason) => {
      if (this.sessions.has(room.consultationId))
        void this.stopSession(room.consultationId, reason === 'worker-died' ? 'interrupted' : 'stopped');
    });
  }

  private get repo() {
    return this.dataSource.getRepository(RecordingEntity);
  }

  async start(actor: Actor, consultationId: string): Promise<RecordingView> {
    const room = this.rooms.require(consultationId);
    if (this.sessions.has(consultationId)) throw new DomainError('conflict', 'already recording');
    const entity = this.repo.create({
      id: randomUUID(),
      consultationId,
      state: 'recording',
      startedBy: actor.userId,
      startedAt: new Date(),
      stoppedAt: null,
      files: [],
      error: null,
    });
    try {
      await this.dataSource.transaction(async (tx) => {
        await tx.getRepository(RecordingEntity).insert(entity);
        await this.consultations.record(
          actor,
          'recording.start',
          consultationId,
          { recordingId: entity.id },
          tx,
        );
      });
    } catch (err) {
      if (isOneActiveViolation(err)) throw new DomainError('conflict', 'already recording');
      throw err;
    }
    const session = new RecordingSession(
      entity.id,
      room,
      this.config.dataDir,
      this.config.raw.SFU_FFMPEG_PATH,
      this.logger,
      async (file) => {
        await this.dataSource.query(
          `UPDATE consultation_recordings SET files = files || $2::jsonb WHERE id = $1`,
          [entity.id, JSON.stringify([file])],
        );
      },
    );
    this.sessions.set(consultationId, session);
    await session.start();
    this.realtime.toRoom(consultationId, N.recording, { recordingId: entity.id, state: 'recording' });
    return recordingView(entity);
  }

  isRecording(consultationId: string): boolean {
    return this.sessions.has(consultationId);
  }

  async stop(consultationId: string, actor: Actor): Promise<RecordingView> {
    const id = await this.stopSession(consultationId, 'stopped', actor);
    if (!id) throw new DomainError('conflict', 'not recording');
    return recordingView(await this.repo.findOneByOrFail({ id }));
  }

  private async stopSession(
    consultationId: string,
    state: 'stopped' | 'interrupted',
    actor: Actor | null = null,
  ): Promise<string | null> {
    const session = this.sessions.get(consultationId);
    if (!session) return null;
    this.sessions.delete(consultationId);
    await session.stop();
    await this.dataSource.transaction(async (tx) => {
      await tx
        .getRepository(RecordingEntity)
        .update({ id: session.recordingId, state: 'recording' }, { state, stoppedAt: new Date() });
      // without an actor the room closed under it (ended, idle, a dead worker)
      await this.consultations.record(
        actor,
        'recording.stop',
        consultationId,
        { recordingId: session.recordingId, state },
        tx,
      );
    });
    this.realtime.toRoom(consultationId, N.recording, { recordingId: session.recordingId, state });
    return session.recordingId;
  }

  async list(consultationId: string): Promise<RecordingView[]> {
    return (await this.repo.find({ where: { consultationId }, order: { startedAt: 'ASC' } })).map(
      recordingView,
    );
  }
}
