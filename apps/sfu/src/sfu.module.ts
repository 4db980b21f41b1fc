import { type DynamicModule, Module } from '@nestjs/common';
import { DrillLinksModule, PlatformModule, type Runtime } from '#platform';
import { ClientPageController } from './client-page.controller.js';
import { ConsultationsController } from './consultations/consultations.controller.js';
import { ConsultationsService } from './consultations/consultations.service.js';
import { MediaWorkersModule } from './media-workers.module.js';
import { RadioModule } from './radio/radio.module.js';
import { SfuRealtime } from './realtime.js';
import { RadioVoiceModule } from './radio/voice/radio-voice.module.js';
import { RecordingsService } from './recording/recordings.service.js';
import { RoomsService } from './room/rooms.service.js';
import { SfuGateway } from './sfu.gateway.js';

/**
 * The mediasoup SFU: video consultations (视频会商: rooms, signalling, recording) and radio
 * over IP (无线对讲: RadioModule).
 */
@Module({
  imports: [MediaWorkersModule, RadioModule, RadioVoiceModule, DrillLinksModule],
  controllers: [ConsultationsController, ClientPageController],
  providers: [SfuRealtime, ConsultationsService, RoomsService, RecordingsService, SfuGateway],
  exports: [MediaWorkersModule, RadioModule, ConsultationsService],
})
export class SfuModule {}

/** Root module when the SFU runs as its own process. */
@Module({})
export class SfuAppModule {}

export function sfuApp(runtime: Runtime): DynamicModule {
  return { module: SfuAppModule, imports: [PlatformModule.forRoot(runtime), SfuModule] };
}
