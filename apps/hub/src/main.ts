import 'reflect-metadata';
import { main } from '#platform';
import { hubApp } from './hub.module.js';

await main('hub', hubApp);
