import { Module } from '@nestjs/common';
import { WorkerPoolService } from './worker-pool.service.js';

/** The mediasoup workers, shared by consultations (SfuModule) and radio (RadioModule). */
@Module({ providers: [WorkerPoolService], exports: [WorkerPoolService] })
export class MediaWorkersModule {}
