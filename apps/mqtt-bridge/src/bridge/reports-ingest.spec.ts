import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { REPORTING_JOBS, type ComponentHealth, type TerminalDailyReportJob } from '#contracts';
import { JobQueue, Metrics, type JobOptions } from '#platform';
import { BridgeMetrics } from './bridge-metrics.js';
import { MAX_REPORT_PAYLOAD_BYTES, ReportsIngest } from './reports-ingest.js';
import type { TerminalRegistry } from './terminal-registry.js';

/** The queue's edge: what the ingest hands over, recorded (the dispatch side is tested end to end). */
class RecordingQueue extends JobQueue {
  readonly driver = 'recording';
  readonly added: { name: string; data: unknown; options?: JobOptions }[] = [];
  add<T>(name: string, data: T, options?: JobOptions): Promise<void> {
    this.added.push({ name, data, options });
    return Promise.resolve();
  }
  health(): Promise<ComponentHealth> {
    return Promise.resolve({ status: 'up' } as ComponentHealth);
  }
}

const PUSH = 't0123456789abcdef0123';
const RADIO = 't99999999999999999999';
const SITE = '7b18ce6b-c934-4956-a99d-fe10746bcc4d';

function setup() {
  const queue = new RecordingQueue();
  const metrics = new BridgeMetrics(new Metrics('mqtt-bridge'));
  const registry = {
    kindOf: (id: string) => (id === PUSH ? 'push' : id === RADIO ? 'radio' : undefined),
    siteOf: (id: string) => (id === PUSH || id === RADIO ? SITE : undefined),
  } as unknown as TerminalRegistry;
  const ingest = new ReportsIngest(pino({ level: 'silent' }), queue, registry, metrics);
  const rejected = async (reason: string) =>
    (await metrics.rejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { queue, ingest, rejected };
}

const body = (o: object) => Buffer.from(JSON.stringify(o));
const report = { date: '2026-12-07', kind: 'zero', at: '2026-12-07T07:30:00+08:00' };

describe('ReportsIngest', () => {
  it("hands a push terminal's nil report over as a job keyed by terminal, date and device time", () => {
    const { queue, ingest } = setup();
    ingest.message(PUSH, body(report), Date.parse('2026-12-06T23:30:01Z'));
    expect(queue.added).toHaveLength(1);
    const { name, data, options } = queue.added[0]!;
    expect(name).toBe(REPORTING_JOBS.terminalDaily);
    expect(data as TerminalDailyReportJob).toEqual({
      terminalId: PUSH,
      siteId: SITE,
      date: report.date,
      at: report.at,
      receivedAt: '2026-12-06T23:30:01.000Z',
    });
    expect(options?.key).toBe(`daily-terminal:${PUSH}:${report.date}:${report.at}`);
  });

  it('refuses and counts what is not a nil report from a push terminal', async () => {
    const { queue, ingest, rejected } = setup();
    let now = 1_000_000;
    const next = () => (now += 2000);
    ingest.message(RADIO, body(report), next());
    ingest.message(PUSH, Buffer.alloc(MAX_REPORT_PAYLOAD_BYTES + 1, 0x20), next());
    ingest.message(PUSH, Buffer.from('{not json'), next());
    ingest.message(PUSH, body({ ...report, kind: 'normal' }), next());
    ingest.message(PUSH, body({ ...report, date: '2026-13-01' }), next());
    ingest.message(PUSH, body({ ...report, extra: 1 }), next());
    expect(queue.added).toHaveLength(0);
    expect(await rejected('topic_denied')).toBe(1);
    expect(await rejected('too_large')).toBe(1);
    expect(await rejected('malformed_json')).toBe(1);
    expect(await rejected('invalid_schema')).toBe(3);
  });

  it('takes one a second per terminal', async () => {
    const { queue, ingest, rejected } = setup();
    ingest.message(PUSH, body(report), 5000);
    ingest.message(PUSH, body(report), 5500);
    expect(queue.added).toHaveLength(1);
    expect(await rejected('rate_limited')).toBe(1);
    ingest.message(PUSH, body(report), 6100);
    expect(queue.added).toHaveLength(2);
  });
});
