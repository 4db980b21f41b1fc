import 'reflect-metadata';
import { main } from '#platform';
import { mqttBridgeApp } from './mqtt-bridge.module.js';

await main('mqtt-bridge', mqttBridgeApp);
