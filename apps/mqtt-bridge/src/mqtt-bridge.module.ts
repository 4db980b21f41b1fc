import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Runtime } from '#platform';
import { BridgeMetrics } from './bridge/bridge-metrics.js';
import { DeviceIngest } from './bridge/device-ingest.js';
import { PresenceOwnership } from './bridge/presence-ownership.js';
import { RadioCommands } from './bridge/radio-commands.js';
import { RadioIngest } from './bridge/radio-ingest.js';
import { ReportsIngest } from './bridge/reports-ingest.js';
import { TerminalDelivery } from './bridge/terminal-delivery.js';
import { TerminalRegistry } from './bridge/terminal-registry.js';
import { BrokerService } from './broker/broker.service.js';
import { EmqxAuthController } from './broker/emqx-auth.controller.js';
import { MosquittoAuthFiles } from './broker/mosquitto-auth-files.js';
import {
  JobTerminalReceiptSink,
  ReceiptReconciler,
  TerminalChannel,
  TerminalKinds,
  TerminalReceiptSink,
  TerminalSender,
  TerminalsModule,
} from '#terminals';

/** The MQTT bridge to 一呼百应 push terminals and radio gateways. */
@Module({
  imports: [TerminalsModule],
  controllers: [EmqxAuthController],
  providers: [
    BridgeMetrics,
    TerminalRegistry,
    TerminalDelivery,
    PresenceOwnership,
    RadioIngest,
    RadioCommands,
    ReportsIngest,
    DeviceIngest,
    BrokerService,
    MosquittoAuthFiles,
    // the terminal channel runs only beside a bridge, which hands it the rows it commits
    {
      provide: TerminalSender,
      useFactory: (d: TerminalDelivery): TerminalSender => d,
      inject: [TerminalDelivery],
    },
    {
      provide: TerminalKinds,
      useFactory: (r: TerminalRegistry): TerminalKinds => r,
      inject: [TerminalRegistry],
    },
    TerminalChannel,
    { provide: TerminalReceiptSink, useClass: JobTerminalReceiptSink },
    ReceiptReconciler,
  ],
  exports: [TerminalDelivery, DeviceIngest, TerminalRegistry, RadioCommands],
})
export class MqttBridgeModule {}

/** Root module when the bridge runs as its own process. */
@Module({})
export class MqttBridgeAppModule {}

export function mqttBridgeApp(runtime: Runtime): DynamicModule {
  return { module: MqttBridgeAppModule, imports: [PlatformModule.forRoot(runtime), MqttBridgeModule] };
}
