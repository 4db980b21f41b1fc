import {
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, HealthRegistry, LOGGER } from '#platform';
import { RadioModule } from '../radio.module.js';
import { AnnounceController } from './announce.controller.js';
import { AnnounceService } from './announce.service.js';
import { DirectiveBroadcast } from './directive-broadcast.js';
import { DtmfAcks } from './dtmf-acks.js';
import { RadioVoiceRepository } from './radio-voice.repository.js';
import { EspeakSpeechEngine, SpeechEngine } from './speech-engine.js';

/** warms the engine at start (without holding up the boot) and kills its processes at shutdown */
@Injectable()
class SpeechLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  /** a warm-up cut short by the process stopping is not a broken engine (nor a second log line) */
  private stopping = false;

  constructor(
    @Inject(SpeechEngine) private readonly engine: SpeechEngine,
    @Inject(LOGGER) private readonly logger: Logger,
    health: HealthRegistry,
  ) {
    health.register('speech', async () => this.engine.health());
  }

  onApplicationBootstrap(): void {
    if (!(this.engine instanceof EspeakSpeechEngine)) return;
    const engine = this.engine;
    void engine.start().then(() => {
      if (this.stopping) return;
      const h = engine.health();
      if (h.status === 'up') this.logger.info(h.detail, 'speech engine ready');
      else
        this.logger.error(
          { reason: h.error },
          'speech engine unavailable: radio broadcasts will be reported failed',
        );
    });
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    if (this.engine instanceof EspeakSpeechEngine) this.engine.close();
  }
}

/**
 * The radio's voice (docs/radio-voice.md): speech synthesis, directives spoken on air
 * (job `directive.broadcast.radio`), DTMF 签收 and typed announcements. Lives in the
 * process that has RadioAir (the SFU); without one, broadcasts are reported failed and
 * announcements answer 503.
 */
@Module({
  imports: [RadioModule],
  controllers: [AnnounceController],
  providers: [
    {
      provide: SpeechEngine,
      useFactory: (config: AppConfig) =>
        new EspeakSpeechEngine({
          command: config.raw.RADIO_TTS_COMMAND,
          voice: config.raw.RADIO_TTS_VOICE,
          rate: config.raw.RADIO_TTS_RATE,
          concurrency: config.raw.RADIO_TTS_CONCURRENCY,
          queue: config.raw.RADIO_TTS_QUEUE,
          timeoutMs: config.raw.RADIO_TTS_TIMEOUT_MS,
          maxChars: config.raw.RADIO_TTS_MAX_CHARS,
        }),
      inject: [AppConfig],
    },
    SpeechLifecycle,
    RadioVoiceRepository,
    DirectiveBroadcast,
    DtmfAcks,
    AnnounceService,
  ],
  exports: [SpeechEngine, DirectiveBroadcast, DtmfAcks],
})
export class RadioVoiceModule {}
