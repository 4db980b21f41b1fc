import { Inject, Injectable, Optional, ServiceUnavailableException } from '@nestjs/common';
import type { Logger } from 'pino';
import type { RadioTalker } from '#contracts';
import type { Actor } from '#domain';
import { AppConfig, CounterStore, DomainError, LOGGER } from '#platform';
import { RadioAir, type RadioPlayOptions } from '../radio-air.js';
import { TalkgroupsService } from '../talkgroups.service.js';
import { announcementFrames } from './directive-audio.js';
import { RadioVoiceRepository } from './radio-voice.repository.js';
import { SpeechEngine, SpeechUnavailableError } from './speech-engine.js';

const WINDOW_SECONDS = 60;

/**
 * A dispatcher's typed text spoken into a talkgroup (POST /api/v1/talkgroups/:id/announce).
 * The talker is the user, not the system: the gateways show who keyed up, the recording
 * and its audit name them, and they answer for what they typed. Rank `dispatcher`, so it
 * pre-empts radio users and a directive broadcast, and is refused while a commander or an
 * emergency holds the floor.
 */
@Injectable()
export class AnnounceService {
  constructor(
    private readonly repo: RadioVoiceRepository,
    private readonly talkgroups: TalkgroupsService,
    private readonly speech: SpeechEngine,
    private readonly counters: CounterStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(RadioAir) private readonly air: RadioAir | null,
  ) {}

  /** resolves with the transmission id once the floor is granted (the audio then plays on) */
  async announce(actor: Actor, talkgroupId: string, text: string): Promise<{ transmissionId: string }> {
    // who may talk on it: the talkgroup's own scope rule (a duty officer: own site only)
    await this.talkgroups.loadVisible(actor, talkgroupId);
    await this.budget(actor);
    const air = this.air;
    if (!air) throw new ServiceUnavailableException('the radio server does not run in this process');
    let pcm: Int16Array;
    try {
      pcm = await this.speech.synthesize(text);
    } catch (err) {
      if (err instanceof SpeechUnavailableError) throw new ServiceUnavailableException(err.message);
      throw err;
    }
    const name = (await this.repo.userName(actor.userId)) ?? actor.userId;
    const talker: RadioTalker = { kind: 'user', id: actor.userId, name };
    return this.playUntilGranted(air, talkgroupId, announcementFrames(pcm), talker);
  }

  /**
   * The answer must not wait for the end of the audio: a RadioAir that calls `onGranted`
   * answers as soon as the floor is held; one that does not answers when play resolves.
   */
  private playUntilGranted(
    air: RadioAir,
    talkgroupId: string,
    frames: Buffer[],
    talker: RadioTalker,
  ): Promise<{ transmissionId: string }> {
    return new Promise((resolve, reject) => {
      const opts: RadioPlayOptions = {
        rank: 'dispatcher',
        directiveId: null,
        onGranted: (transmissionId) => resolve({ transmissionId }),
      };
      air.play(talkgroupId, frames, talker, opts).then(
        (done) => {
          resolve({ transmissionId: done.transmissionId });
          if (!done.complete)
            this.logger.info({ talkgroupId, transmissionId: done.transmissionId }, 'announcement cut off');
        },
        (err: unknown) => {
          // after the 202 an error only reaches the log
          this.logger.warn({ err, talkgroupId }, 'announcement did not go out');
          reject(err);
        },
      );
    });
  }

  private async budget(actor: Actor): Promise<void> {
    const limit = this.config.raw.RADIO_ANNOUNCE_PER_MINUTE;
    const { count, ttlSeconds } = await this.counters.hit(`radio-announce:${actor.userId}`, WINDOW_SECONDS);
    if (count > limit)
      throw new DomainError(
        'rate_limited',
        `too many announcements: at most ${limit} a minute per user (RADIO_ANNOUNCE_PER_MINUTE); try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
