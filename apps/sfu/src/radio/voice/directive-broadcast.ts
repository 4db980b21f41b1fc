import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { DIRECTIVE_JOBS, type ChannelReport, type RadioTalker } from '#contracts';
import { cancelSpeech, isExpired, updateSpeech } from '#domain';
import { AppConfig, JobQueue, LOGGER, Metrics } from '#platform';
import { RadioAir, type RadioPlayOptions } from '../radio-air.js';
import { BroadcastForwarding, broadcastJobFor, type RadioBroadcastJob } from './broadcast-forwarding.js';
import { directiveAudio, MAX_TRANSMISSION_MS, noticeAudio, type DirectiveAudio } from './directive-audio.js';
import { RadioVoiceRepository } from './radio-voice.repository.js';
import { SpeechEngine } from './speech-engine.js';

export type { RadioBroadcastJob } from './broadcast-forwarding.js';

const SWEEP_MS = 15_000;

/** a change or withdrawal of a directive: spoken, but no delivery state of its own to report */
const isNotice = (job: RadioBroadcastJob) => job.kind !== 'directive';

/**
 * Directives spoken on the radio (docs/radio-voice.md), the job `directive.broadcast.radio`
 * written beside every `directive.deliver.radio`. For each talkgroup holding a radio gateway
 * of a target site that still waits: the level's alert tone and the directive spoken, then
 * the speech again as a second transmission. The sites count as delivered via `radio` when
 * the first went out whole (reported through `directive.channel-report`). A busy talkgroup,
 * a cut-off transmission or failed speech is tried again with backoff; after
 * RADIO_BROADCAST_RETRIES the sites are reported `failed` with the reason.
 *
 * Changes (变更) and withdrawals (撤销) go on air the same way, to the talkgroups of the sites
 * they are sent to: people who heard an order on the radio must hear it change or stop. They
 * report nothing to the recipients' state (that belongs to the directive's own delivery).
 *
 * The job returns once the broadcast is claimed and its speech made; the audio then plays
 * on its own (over a minute on air would hold the embedded queue's whole batch, channel
 * reports and escalations included). The claim's lease in `radio_broadcasts` is what a
 * crash leaves: the sweep starts a broadcast again when its lease ran out.
 */
@Injectable()
export class DirectiveBroadcast implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly outcomes: Counter<'outcome'>;
  private readonly onAir = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly forwarding: BroadcastForwarding;

  constructor(
    private readonly jobs: JobQueue,
    private readonly repo: RadioVoiceRepository,
    private readonly speech: SpeechEngine,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
    @Optional() @Inject(RadioAir) private readonly air: RadioAir | null,
  ) {
    this.outcomes = new Counter({
      name: 'yihu_radio_broadcasts_total',
      help: 'Directive broadcasts on radio talkgroups by outcome (sent, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    jobs.handle<RadioBroadcastJob>(DIRECTIVE_JOBS.broadcastRadio, (job) => this.run(job));
    // broadcasts for the talkgroups this instance's media carries, handed over by the others
    jobs.handle<RadioBroadcastJob>(broadcastJobFor(config.instanceId), (job) => this.run(job));
    this.forwarding = new BroadcastForwarding(jobs, config.instanceId);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.error({ err }, 'radio broadcast sweep failed'));
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  /** waits a little for what is on air (RadioAir ends it as incomplete at shutdown); the sweep resumes the rest */
  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.race([Promise.all([...this.onAir]), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  /** broadcasts whose worker died mid-air go again (their lease ran out) */
  async sweep(): Promise<number> {
    const lost = await this.repo.takeExpiredLeases(50);
    for (const b of lost) {
      const job = b.job as RadioBroadcastJob;
      this.logger.warn(
        { directiveId: job.directiveId, talkgroupId: b.talkgroupId },
        'radio broadcast lease ran out; starting it again',
      );
      await this.jobs.add<RadioBroadcastJob>(
        DIRECTIVE_JOBS.broadcastRadio,
        { ...job, retryTalkgroupId: b.talkgroupId },
        { key: `radio-broadcast:${job.messageId}:${b.talkgroupId}:${b.attempts}:lease` },
      );
    }
    return lost.length;
  }

  /** resolves when every broadcast started so far is off the air (tests, shutdown) */
  async idle(): Promise<void> {
    while (this.onAir.size) await Promise.all([...this.onAir]);
  }

  async run(job: RadioBroadcastJob): Promise<void> {
    const d = job.directive;
    if (isExpired(d.expiresAt, new Date())) return;
    // a directive to the sites still waiting for it; a change while it stands; a withdrawal to all it went to
    const waiting =
      job.kind === 'directive'
        ? await this.repo.waitingSites(d.id, job.siteIds)
        : job.kind === 'update'
          ? await this.repo.standingSites(d.id, job.siteIds)
          : job.siteIds;
    const radioSites = waiting.length ? await this.repo.sitesWithRadios(waiting) : [];
    if (!radioSites.length) return;
    const air = this.air;
    if (!air) {
      if (isNotice(job)) return this.logger.warn({ directiveId: d.id }, 'no radio server here for a change');
      await this.report(job, radioSites, 'failed', 'no radio server runs in this process');
      return;
    }
    const byTalkgroup = new Map<string, string[]>();
    const unreachable: string[] = [];
    for (const site of radioSites) {
      const talkgroups = await air.talkgroupsOfSite(site);
      if (!talkgroups.length) unreachable.push(site);
      for (const tg of talkgroups) byTalkgroup.set(tg, [...(byTalkgroup.get(tg) ?? []), site]);
    }
    if (unreachable.length && !job.retryTalkgroupId && !isNotice(job))
      await this.report(job, unreachable, 'failed', 'the site has radio gateways but none is in a talkgroup');
    if (job.retryTalkgroupId)
      for (const tg of [...byTalkgroup.keys()]) if (tg !== job.retryTalkgroupId) byTalkgroup.delete(tg);
    await this.forwarding.route(air, job, byTalkgroup);
    if (!byTalkgroup.size) return;

    let audio: DirectiveAudio | null = null;
    let speechError: Error | null = null;
    try {
      // the speech is made while the alert tone plays (DirectiveAudio): not here
      audio =
        job.kind === 'update'
          ? noticeAudio(this.speech, updateSpeech(d, job.update?.text ?? ''), d.level)
          : job.kind === 'cancel'
            ? noticeAudio(this.speech, cancelSpeech(d, job.cancelled?.reason ?? null), null)
            : directiveAudio(this.speech, d);
      // an engine known broken goes on air with nothing to say: wait for its answer first
      if (this.speech.health().status !== 'up') await audio.speech();
    } catch (err) {
      speechError = err as Error;
      audio = null;
    }
    // talkgroups have floors of their own: they go on air at the same time
    await Promise.all(
      [...byTalkgroup].map(([tg, sites]) => this.broadcast(air, job, tg, sites, audio, speechError)),
    );
  }

  private async broadcast(
    air: RadioAir,
    job: RadioBroadcastJob,
    talkgroupId: string,
    siteIds: string[],
    audio: DirectiveAudio | null,
    speechError: Error | null,
  ): Promise<void> {
    const d = job.directive;
    // both transmissions at their longest (the speech's length is not known yet), plus 60 s
    const leaseSeconds = Math.ceil((2 * MAX_TRANSMISSION_MS) / 1000) + 60;
    const claim = await this.repo.claim(
      {
        messageId: job.messageId,
        talkgroupId,
        directiveId: d.id,
        siteIds,
        job: { ...job, retryTalkgroupId: undefined },
      },
      leaseSeconds,
    );
    // already on air once for this message, given up, or another worker holds it
    if (!claim) return;
    const playing = this.onAirNow(air, job, talkgroupId, siteIds, audio, speechError, claim.attempts).catch(
      (err: unknown) =>
        this.logger.error({ err, directiveId: d.id, talkgroupId }, 'radio broadcast failed to settle'),
    );
    this.onAir.add(playing);
    void playing.finally(() => this.onAir.delete(playing));
  }

  private async onAirNow(
    air: RadioAir,
    job: RadioBroadcastJob,
    talkgroupId: string,
    siteIds: string[],
    audio: DirectiveAudio | null,
    speechError: Error | null,
    attempts: number,
  ): Promise<void> {
    const d = job.directive;
    const what = job.kind === 'update' ? ' 变更' : job.kind === 'cancel' ? ' 撤销' : '';
    const talker: RadioTalker = { kind: 'system', id: `directive:${d.id}`, name: `指令 ${d.serial}${what}` };
    const opts: RadioPlayOptions = { rank: 'directive', directiveId: d.id };
    try {
      if (!audio) throw speechError ?? new Error('no speech');
      // failed already (for another talkgroup of this message, or the engine known broken):
      // no alert tone on air with nothing after it
      const early = audio.failure();
      if (early) throw early;
      const first = await air.play(talkgroupId, audio.head, talker, {
        ...opts,
        more: async () => (await audio.speech()).rest,
      });
      await this.repo.addTransmission(job.messageId, talkgroupId, first.transmissionId);
      const spoken = audio.failure();
      if (spoken) throw spoken;
      if (!first.complete) throw new Error('the broadcast was cut off (pre-empted or timed out)');
      if (!isNotice(job))
        await this.report(job, siteIds, 'delivered', `spoken on talkgroup ${talkgroupId}`, talkgroupId);
      // the repeat is a courtesy: the message already went out whole once
      try {
        const again = await air.play(talkgroupId, (await audio.speech()).repeat, talker, opts);
        await this.repo.addTransmission(job.messageId, talkgroupId, again.transmissionId);
      } catch (err) {
        this.logger.warn(
          { err, directiveId: d.id, talkgroupId },
          'the repeat of a directive broadcast did not go out',
        );
      }
      await this.repo.settle(job.messageId, talkgroupId, 'sent', null);
      this.outcomes.inc({ outcome: 'sent' });
    } catch (err) {
      await this.failed(job, talkgroupId, siteIds, attempts, (err as Error).message);
    }
  }

  private async failed(
    job: RadioBroadcastJob,
    talkgroupId: string,
    siteIds: string[],
    attempts: number,
    reason: string,
  ): Promise<void> {
    const retries = this.config.raw.RADIO_BROADCAST_RETRIES;
    if (attempts > retries) {
      await this.repo.settle(job.messageId, talkgroupId, 'failed', reason);
      this.outcomes.inc({ outcome: 'failed' });
      this.logger.warn(
        { directiveId: job.directiveId, talkgroupId, attempts, reason },
        'directive broadcast failed',
      );
      if (isNotice(job)) return;
      await this.report(
        job,
        siteIds,
        'failed',
        `radio broadcast failed after ${attempts} tries: ${reason}`,
        talkgroupId,
      );
      return;
    }
    await this.repo.settle(job.messageId, talkgroupId, 'waiting', reason);
    this.outcomes.inc({ outcome: 'retry' });
    // 5 s, 10 s, 20 s, ... capped at 5 min: a talkgroup busy with a long exchange frees up
    const delayMs = Math.min(this.config.raw.RADIO_BROADCAST_RETRY_MS * 2 ** (attempts - 1), 300_000);
    this.logger.info(
      { directiveId: job.directiveId, talkgroupId, attempts, delayMs, reason },
      'directive broadcast retried',
    );
    // the retry may land on any instance and be handed to the host again (forwards start over:
    // the attempts, counted by the claim, bound the retries)
    await this.jobs.add<RadioBroadcastJob>(
      DIRECTIVE_JOBS.broadcastRadio,
      { ...job, retryTalkgroupId: talkgroupId, forwards: 0 },
      { delayMs, key: `radio-broadcast:${job.messageId}:${talkgroupId}:${attempts}` },
    );
  }

  private async report(
    job: RadioBroadcastJob,
    siteIds: string[],
    kind: 'delivered' | 'failed',
    note: string,
    talkgroupId?: string,
  ): Promise<void> {
    const at = new Date().toISOString();
    for (const siteId of siteIds)
      await this.jobs.add<ChannelReport>(
        DIRECTIVE_JOBS.channelReport,
        {
          directiveId: job.directiveId,
          siteId,
          channel: 'radio',
          kind,
          at,
          deviceId: null,
          actorId: null,
          note,
        },
        { key: `radio-broadcast:${job.messageId}:${talkgroupId ?? '-'}:${siteId}:${kind}` },
      );
  }
}
