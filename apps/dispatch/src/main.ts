import 'reflect-metadata';
import { main } from '#platform';
import { dispatchApp } from './dispatch.module.js';

await main('dispatch', dispatchApp);
