import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { DispatchModule } from '../../dispatch/src/dispatch.module.js';
import { MqttBridgeModule } from '../../mqtt-bridge/src/mqtt-bridge.module.js';
import { SfuModule } from '../../sfu/src/sfu.module.js';

/** Everything in one process: what `npm start` runs on a township laptop or a demo. */
@Module({})
export class HubModule {}

export function hubApp(runtime: Runtime): DynamicModule {
  return {
    module: HubModule,
    imports: [PlatformModule.forRoot(runtime), DispatchModule, MqttBridgeModule, SfuModule],
  };
}
