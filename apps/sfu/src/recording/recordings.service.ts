import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SFU_NOTIFICATIONS as N, type RecordingView } from '#contracts';
import type { Actor } from '#domain';
import { RecordingEntity } from '#persistence';
import { AppConfig, DomainError, LOGGER } from '#platform';
import { SfuRealtime } from '../realtime.js';
import { RoomsService } from '../room/rooms.service.js';
import { recordingView } from '../consultations/views.js';
import { reapOrphans } from './orphans.js';
import { RecordingSession } from './recording-session.js';

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
      await this.repo.insert(entity);
    } catch {
      throw new DomainError('conflict', 'already recording');
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

  async stop(consultationId: string): Promise<RecordingView> {
    const id = await this.stopSession(consultationId, 'stopped');
    if (!id) throw new DomainError('conflict', 'not recording');
    return recordingView(await this.repo.findOneByOrFail({ id }));
  }

  private async stopSession(
    consultationId: string,
    state: 'stopped' | 'interrupted',
  ): Promise<string | null> {
    const session = this.sessions.get(consultationId);
    if (!session) return null;
    this.sessions.delete(consultationId);
    await session.stop();
    await this.repo.update({ id: session.recordingId, state: 'recording' }, { state, stoppedAt: new Date() });
    this.realtime.toRoom(consultationId, N.recording, { recordingId: session.recordingId, state });
    return session.recordingId;
  }

  async list(consultationId: string): Promise<RecordingView[]> {
    return (await this.repo.find({ where: { consultationId }, order: { startedAt: 'ASC' } })).map(
      recordingView,
    );
  }
}
