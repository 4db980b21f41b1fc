import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import type { ComponentHealth } from '#contracts';
import { JobQueue, type JobOptions } from './job-queue.js';

export const BULL_QUEUE_NAME = 'yihu';

/** The cluster queue: BullMQ on Redis, so any instance can run any job. */
export class BullJobQueue extends JobQueue {
  readonly driver = 'bullmq';

  constructor(private readonly queue: Queue) {
    super();
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    await this.queue.add(name, data, {
      delay: options.delayMs,
      jobId: options.key,
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async health(): Promise<ComponentHealth> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
    return { status: 'up', driver: this.driver, detail: counts };
  }

  /** Called by the BullMQ worker host. */
  process(job: Job): Promise<void> {
    return this.run(job.name, job.data);
  }
}

@Processor(BULL_QUEUE_NAME, { concurrency: 50 })
export class BullJobHost extends WorkerHost {
  constructor(private readonly jobs: JobQueue) {
    super();
  }

  async process(job: Job): Promise<void> {
    await (this.jobs as BullJobQueue).process(job);
  }
}
