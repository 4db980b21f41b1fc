import { Module } from '@nestjs/common';
import { AppConfig } from '#platform';
import { MediaWorkersModule } from '../media-workers.module.js';
import { RadioBrowserGateway } from './browser/radio-browser.gateway.js';
import { RadioBrowserService } from './browser/radio-browser.service.js';
import { RadioAir, RadioAirService } from './radio-air.js';
import { RadioEmergencies } from './radio-emergencies.js';
import { RadioEmergenciesController } from './radio-emergencies.controller.js';
import { RadioFloorService } from './radio-floor.service.js';
import { RadioHubService } from './radio-hub.service.js';
import { MemoryRadioStateStore, RadioStateStore, RedisRadioStateStore } from './radio-state.store.js';
import { PipeRelay } from './pipe-relay.js';
import { RadioRetention } from './radio-retention.js';
import { RecordingShare } from './recording-share.js';
import { RemoteAir } from './remote-air.js';
import { TalkgroupGatewaysController } from './talkgroup-gateways.controller.js';
import { TalkgroupsController } from './talkgroups.controller.js';
import { TalkgroupsRepository } from './talkgroups.repository.js';
import { TalkgroupsService } from './talkgroups.service.js';
import { TransmissionsController } from './transmissions.controller.js';

/**
 * 无线对讲 (radio over IP): talkgroups, the gateways' media, floor control, recording.
 * Gateways are reached through the event bus only (the MQTT bridge carries radio/*).
 */
@Module({
  imports: [MediaWorkersModule],
  controllers: [
    TalkgroupsController,
    TalkgroupGatewaysController,
    TransmissionsController,
    RadioEmergenciesController,
  ],
  providers: [
    {
      provide: RadioStateStore,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.raw.REDIS_URL
          ? new RedisRadioStateStore(
              config.raw.REDIS_URL,
              config.raw.REDIS_PREFIX,
              // a floor outlives a dead host by one transmit timeout and hang at most
              config.raw.RADIO_TOT_SECONDS * 1000 + config.raw.RADIO_HANG_MS + 5000,
            )
          : new MemoryRadioStateStore(),
    },
    TalkgroupsRepository,
    TalkgroupsService,
    RadioFloorService,
    RadioEmergencies,
    RadioHubService,
    RadioRetention,
    PipeRelay,
    RecordingShare,
    RemoteAir,
    { provide: RadioAir, useClass: RadioAirService },
    RadioBrowserService,
    RadioBrowserGateway,
  ],
  exports: [RadioAir, RadioFloorService, TalkgroupsService],
})
export class RadioModule {}
