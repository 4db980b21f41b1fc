import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { ClientPageController } from './client-page.controller.js';
import { ConsultationsController } from './consultations/consultations.controller.js';
import { ConsultationsService } from './consultations/consultations.service.js';
import { SfuRealtime } from './realtime.js';
import { RecordingsService } from './recording/recordings.service.js';
import { RoomsService } from './room/rooms.service.js';
import { SfuGateway } from './sfu.gateway.js';
import { WorkerPoolService } from './worker-pool.service.js';

/** The mediasoup SFU for video consultations (视频会商): workers, rooms, signalling, recording. */
@Module({
  controllers: [ConsultationsController, ClientPageController],
  providers: [
    WorkerPoolService,
    SfuRealtime,
    ConsultationsService,
    RoomsService,
    RecordingsService,
    SfuGateway,
  ],
  exports: [WorkerPoolService, ConsultationsService],
})
export class SfuModule {}

/** Root module when the SFU runs as its own process. */
@Module({})
export class SfuAppModule {}

export function sfuApp(runtime: Runtime): DynamicModule {
  return { module: SfuAppModule, imports: [PlatformModule.forRoot(runtime), SfuModule] };
}
