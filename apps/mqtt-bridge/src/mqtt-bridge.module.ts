import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { BrokerService } from './broker/broker.service.js';

/** The MQTT bridge to 一呼百应 push terminals and radio gateways. */
@Module({ providers: [BrokerService] })
export class MqttBridgeModule {}

/** Root module when the bridge runs as its own process. */
@Module({})
export class MqttBridgeAppModule {}

export function mqttBridgeApp(runtime: Runtime): DynamicModule {
  return { module: MqttBridgeAppModule, imports: [PlatformModule.forRoot(runtime), MqttBridgeModule] };
}
