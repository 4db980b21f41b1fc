import 'reflect-metadata';
import { main } from '#platform';
import { sfuApp } from './sfu.module.js';

await main('sfu', sfuApp);
