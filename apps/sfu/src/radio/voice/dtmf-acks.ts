import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { z } from 'zod';
import {
  DIRECTIVE_JOBS,
  DTMF_DIGITS_PATTERN,
  RADIO_BUS,
  type ChannelReport,
  type RadioGatewayMessage,
} from '#contracts';
import { dtmfSerialNumber, matchDtmfCode, serialYear, type DtmfMatch } from '#domain';
import { AuditStore } from '#persistence';
import { EventBus, JobQueue, LOGGER, Metrics } from '#platform';
import { normalizeDtmfCode } from '#radio';
import { RadioVoiceRepository } from './radio-voice.repository.js';

/** the bus message as this side needs it: the bridge validated it, but the bus is a way in too */
const DtmfMessageSchema = z.object({
  terminalId: z.string().min(1).max(64),
  siteId: z.uuid(),
  leaf: z.literal('events'),
  body: z.object({
    type: z.literal('dtmf'),
    digits: z.string().regex(DTMF_DIGITS_PATTERN),
    at: z.iso.datetime({ offset: true }),
  }),
});

/** refusals worth a line in the audit chain: someone keyed a real directive's code that was not theirs to take */
const AUDITED = new Set(['other_site', 'expired', 'already_acknowledged', 'closed']);

/**
 * 签收 by DTMF over the radio (docs/radio-voice.md): a gateway's decoded keys (`radio/events`
 * `{type: 'dtmf'}`, put on the bus by the MQTT bridge) name a directive by its serial's
 * number; a directive still waiting for the gateway's own site is acknowledged via `radio`
 * through `directive.channel-report`, keyed by terminal, digits and time so a code that
 * reaches several instances is taken in once. Anything else is refused, counted in
 * `yihu_radio_dtmf_total{outcome}` and, when it named a real directive, audited.
 */
@Injectable()
export class DtmfAcks implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe: (() => void) | null = null;
  private readonly outcomes: Counter<'outcome'>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly bus: EventBus,
    private readonly jobs: JobQueue,
    private readonly repo: RadioVoiceRepository,
    private readonly audit: AuditStore,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.outcomes = new Counter({
      name: 'yihu_radio_dtmf_total',
      help: 'DTMF codes from radio gateways by outcome (accepted or the refusal)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe<RadioGatewayMessage>(RADIO_BUS.gateway, (m) => {
      if (m?.leaf !== 'events' || m.body?.type !== 'dtmf') return;
      const p = this.take(m)
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err, terminalId: m.terminalId }, 'DTMF 签收 failed'));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.inFlight]);
  }

  /** one gateway message; resolves with what became of it */
  async take(message: unknown): Promise<DtmfMatch> {
    const parsed = DtmfMessageSchema.safeParse(message);
    if (!parsed.success) {
      this.outcomes.inc({ outcome: 'malformed' });
      this.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'DTMF message refused');
      return { outcome: 'malformed', reason: 'not a valid DTMF event', directiveId: null };
    }
    const { terminalId, siteId, body } = parsed.data;
    const now = new Date();
    const code = normalizeDtmfCode(body.digits);
    const number = dtmfSerialNumber(code);
    const year = serialYear(now);
    const candidates = number
      ? await this.repo.dtmfCandidates([`${year}-${number}`, `${year - 1}-${number}`], siteId)
      : [];
    const match = matchDtmfCode(code, candidates, now);
    this.outcomes.inc({ outcome: match.outcome });
    if (match.outcome === 'accepted') {
      await this.jobs.add<ChannelReport>(
        DIRECTIVE_JOBS.channelReport,
        {
          directiveId: match.directiveId,
          siteId,
          channel: 'radio',
          kind: 'acknowledged',
          at: now.toISOString(),
          pressedAt: body.at,
          deviceId: terminalId,
          actorId: null,
          note: `DTMF ${body.digits} on radio gateway ${terminalId}`,
        },
        { key: `dtmf:${terminalId}:${body.digits}:${body.at}` },
      );
      this.logger.info({ terminalId, siteId, directiveId: match.directiveId }, 'DTMF 签收 taken');
      return match;
    }
    this.logger.info(
      { terminalId, siteId, digits: body.digits, outcome: match.outcome },
      'DTMF 签收 refused',
    );
    if (AUDITED.has(match.outcome))
      await this.audit.append({
        actorId: null,
        action: 'directive.ack.refused',
        subjectType: 'directive',
        subjectId: match.directiveId,
        data: {
          via: 'radio',
          terminalId,
          siteId,
          digits: body.digits,
          outcome: match.outcome,
          reason: match.reason,
        },
      });
    return match;
  }
}
