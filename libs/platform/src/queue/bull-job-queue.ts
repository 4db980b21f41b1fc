import type { OnApplicationShutdown } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Queue, Worker, type Job, type QueueOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { ComponentHealth } from '#contracts';
import { JobQueue, type JobOptions } from './job-queue.js';

/** The one shared queue of earlier versions; still drained (see BullJobHost), no longer added to. */
export const BULL_QUEUE_NAME = 'yihu';

/** Jobs each process runs at once, per job name. */
const CONCURRENCY = 50;

/** BullMQ queue names may not hold ':' (its key separator). */
export function bullQueueNameFor(jobName: string): string {
  return `job.${jobName.replaceAll(':', '_')}`;
}

/**
 * BullMQ refuses a custom jobId that looks like an integer or holds ':' (unless in exactly
 * three parts), but job keys are free text ("notify:<directive>:<site>:<level>"): escape
 * them one-to-one into ids it accepts.
 */
function jobIdFor(key: string): string {
  return `k_${key.replaceAll('%', '%25').replaceAll(':', '%3A')}`;
}

/**
 * The cluster queue: BullMQ on Redis, one queue per job name. A process runs workers only
 * for the names it has handlers for, so in a split deployment (dispatch here, the MQTT
 * bridge there) no process ever takes a job it cannot run; `add()` routes by name and
 * works for any name from any process. Within a name, any instance may run any job.
 */
export class BullJobQueue extends JobQueue implements OnApplicationShutdown {
  readonly driver = 'bullmq';

  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly options: Pick<QueueOptions, 'connection' | 'prefix'>;

  /** `legacy` is the old shared queue: its connection and prefix are reused for the per-name queues. */
  constructor(
    private readonly legacy: Queue,
    private readonly logger?: Logger,
  ) {
    super();
    this.options = { connection: legacy.opts.connection, prefix: legacy.opts.prefix };
    legacy.on('error', (err) => this.connectionError(err, legacy.name));
  }

  /**
   * Redis away: BullMQ retries by itself (health reports Redis). A queue or worker with no
   * 'error' listener printed each failed reconnect to stderr past the log, so log it here.
   */
  connectionError(err: Error, queue: string): void {
    this.logger?.warn({ err: err.message, queue }, 'job queue connection error');
  }

  /** The queue that holds jobs of this name (created on first use). */
  queueFor(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const created = new Queue(bullQueueNameFor(name), this.options);
      created.on('error', (err) => this.connectionError(err, created.name));
      queue = created;
      this.queues.set(name, queue);
    }
    return queue;
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    for (const name of this.handledNames()) {
      const worker = new Worker(bullQueueNameFor(name), (job: Job) => this.run(job.name, job.data), {
        ...this.options,
        concurrency: CONCURRENCY,
      });
      // BullMQ retries connection errors itself (health reports Redis): log them, never swallow them
      worker.on('error', (err) => this.connectionError(err, worker.name));
      worker.on('failed', (job, err) =>
        this.logger?.warn(
          { job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
          'job failed',
        ),
      );
      this.workers.push(worker);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    await this.queueFor(name).add(name, data, {
      delay: options.delayMs,
      jobId: options.key === undefined ? undefined : jobIdFor(options.key),
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async health(): Promise<ComponentHealth> {
    const totals: Record<string, number> = { waiting: 0, delayed: 0, active: 0, failed: 0 };
    const names = new Set([...this.handledNames(), ...this.queues.keys()]);
    for (const queue of [this.legacy, ...[...names].map((n) => this.queueFor(n))]) {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
      for (const [k, v] of Object.entries(counts)) totals[k] = (totals[k] ?? 0) + v;
    }
    return { status: 'up', driver: this.driver, detail: totals };
  }

  /** Called by the legacy worker host. */
  process(job: Job): Promise<void> {
    return this.run(job.name, job.data);
  }
}

/**
 * Drains the shared queue of earlier versions after an upgrade (jobs accepted before it
 * must still run). Jobs it has no handler for fail and are retried, as before.
 */
@Processor(BULL_QUEUE_NAME, { concurrency: CONCURRENCY })
export class BullJobHost extends WorkerHost {
  constructor(private readonly jobs: JobQueue) {
    super();
  }

  async process(job: Job): Promise<void> {
    await (this.jobs as BullJobQueue).process(job);
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    (this.jobs as BullJobQueue).connectionError(err, BULL_QUEUE_NAME);
  }
}
