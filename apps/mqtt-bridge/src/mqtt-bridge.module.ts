import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { BridgeMetrics } from './bridge/bridge-metrics.js';
import { DeviceIngest } from './bridge/device-ingest.js';
import { TerminalDelivery } from './bridge/terminal-delivery.js';
import { TerminalRegistry } from './bridge/terminal-registry.js';
import { BrokerService } from './broker/broker.service.js';
import { EmqxAuthController } from './broker/emqx-auth.controller.js';
import { MosquittoAuthFiles } from './broker/mosquitto-auth-files.js';
import { ReceiptReconciler } from './terminals/receipt-reconciler.js';
import { JobTerminalReceiptSink, TerminalChannel } from './terminals/terminal-channel.js';
import { TerminalReceiptSink } from './terminals/terminal-receipts.js';
import { TerminalsModule } from './terminals/terminals.module.js';

/** The MQTT bridge to 一呼百应 push terminals and radio gateways. */
@Module({
  imports: [TerminalsModule],
  controllers: [EmqxAuthController],
  providers: [
    BridgeMetrics,
    TerminalRegistry,
    TerminalDelivery,
    DeviceIngest,
    BrokerService,
    MosquittoAuthFiles,
    TerminalChannel,
    { provide: TerminalReceiptSink, useClass: JobTerminalReceiptSink },
    ReceiptReconciler,
  ],
  exports: [TerminalDelivery, DeviceIngest, TerminalRegistry],
})
export class MqttBridgeModule {}

/** Root module when the bridge runs as its own process. */
@Module({})
export class MqttBridgeAppModule {}

export function mqttBridgeApp(runtime: Runtime): DynamicModule {
  return { module: MqttBridgeAppModule, imports: [PlatformModule.forRoot(runtime), MqttBridgeModule] };
}
