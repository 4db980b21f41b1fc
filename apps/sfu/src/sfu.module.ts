import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { WorkerPoolService } from './worker-pool.service.js';

/** The mediasoup SFU for video consultations (视频会商). */
@Module({ providers: [WorkerPoolService], exports: [WorkerPoolService] })
export class SfuModule {}

/** Root module when the SFU runs as its own process. */
@Module({})
export class SfuAppModule {}

export function sfuApp(runtime: Runtime): DynamicModule {
  return { module: SfuAppModule, imports: [PlatformModule.forRoot(runtime), SfuModule] };
}
