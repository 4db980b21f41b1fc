import { Injectable } from '@nestjs/common';
import {
  buildAtomFeed,
  buildCapXml,
  CapValidatorBusyError,
  levelOfSeverity,
  parseCap,
  severityOfLevel,
  type CapAlert,
  type CapInfo,
} from '#cap';
import {
  CreateWarningRequestSchema,
  describeIssues,
  WARNING_REGION_CODE_PATTERN,
  type CreateWarningRequest,
  type WarningCreatedView,
} from '#contracts';
import { capCategoryOfEvent, scopePrefix, type Actor } from '#domain';
import { DomainError } from '#platform';
import { WarningAreasRepository } from './warning-areas.repository.js';
import { WarningIdentifiers } from './warning-identifiers.js';
import type { WarningRow } from './warning-rows.js';
import { WarningsRepository } from './warnings.repository.js';
import { WarningsService } from './warnings.service.js';
import { sentOf } from './views.js';

/** The geocode name of a GB/T 2260 region code in the CAP the hub publishes. */
export const REGION_GEOCODE = 'GB/T 2260';
/** Geocode names read as GB/T 2260 region codes on import. */
const REGION_GEOCODE_NAME = /GB\/?T?\s*2260|行政区划|adcode|areacode|region/i;
/** Imported alerts without an expiry stay valid this long after onset. */
const DEFAULT_VALIDITY_MS = 24 * 3600 * 1000;

/** 预警 as CAP 1.2 (GET /warnings/:id/cap), the Atom feed, and CAP import. */
@Injectable()
export class WarningCap {
  constructor(
    private readonly service: WarningsService,
    private readonly warnings: WarningsRepository,
    private readonly areas: WarningAreasRepository,
    private readonly identifiers: WarningIdentifiers,
  ) {}

  async xml(actor: Actor, id: string): Promise<string> {
    const w = await this.service.load(actor, id, 'read');
    return buildCapXml(await this.alertOf(w));
  }

  /** Active published warnings within the reader's view, newest first, each linking its CAP. */
  async feed(actor: Actor, baseUrl: string): Promise<string> {
    const rows = await this.warnings.list(scopePrefix(actor), 'published', 500);
    return buildAtomFeed({
      id: `${baseUrl}/api/v1/warnings/feed.atom`,
      title: 'yihu 预警信息',
      updated: rows.reduce((t, w) => (sentOf(w) > t ? sentOf(w) : t), new Date(0)),
      selfUrl: `${baseUrl}/api/v1/warnings/feed.atom`,
      entries: rows.map((w) => ({
        id: `urn:yihu:warning:${w.identifier}`,
        title: w.headline,
        updated: sentOf(w),
        summary: w.description,
        capUrl: `${baseUrl}/api/v1/warnings/${w.id}/cap`,
        level: w.level,
      })),
    });
  }

  /**
   * A draft from another system's CAP 1.2 alert (validated first: a hostile or invalid
   * document, CAP 1.1 or an unusable alert is 400 with the reason). Its GB/T 2260 geocodes
   * become the area; without any, the importer's own region.
   */
  async import(actor: Actor, xml: Buffer): Promise<WarningCreatedView> {
    const parsed = await parseCap(xml).catch((err: unknown) => {
      // the shared schema checker is full: a server condition, not a verdict on the document
      if (err instanceof CapValidatorBusyError)
        throw new DomainError('rate_limited', err.message, undefined, 2);
      throw err;
    });
    if ('errors' in parsed)
      throw new DomainError(
        'invalid',
        `invalid CAP: ${parsed.errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)).join('; ')}`,
      );
    const { alert } = parsed;
    const req = await this.requestOf(actor, alert);
    const checked = CreateWarningRequestSchema.safeParse(req);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new DomainError('invalid', `the alert cannot be a warning: ${describeIssues(issues)}`, issues);
    }
    return this.service.create(actor, checked.data, { identifier: alert.identifier, sender: alert.sender });
  }

  private async requestOf(actor: Actor, alert: CapAlert): Promise<CreateWarningRequest> {
    if (!['Actual', 'Exercise', 'Test'].includes(alert.status))
      throw new DomainError(
        'invalid',
        `status ${alert.status}: only Actual, Exercise and Test alerts are imported`,
      );
    const primary = alert.info.find((i) => i.language.startsWith('zh')) ?? alert.info[0];
    if (!primary) throw new DomainError('invalid', 'the alert has no info block');
    const english = alert.info.find((i) => i !== primary && i.language.startsWith('en'));
    const level = levelOfSeverity(primary.severity);
    if (!level) throw new DomainError('invalid', `severity ${primary.severity} has no warning level`);
    const codes = [
      ...new Set(
        primary.areas
          .flatMap((a) => a.geocodes)
          // only geocodes named as Chinese region codes: other profiles (Canada's CAP-CP
          // locations) are 6-digit numbers too
          .filter((g) => REGION_GEOCODE_NAME.test(g.valueName))
          .map((g) => g.value.trim())
          .filter((v) => WARNING_REGION_CODE_PATTERN.test(v)),
      ),
    ];
    const regionCodes = codes.length ? codes : [(await this.identifiers.issuer(actor)).regionCode];
    const onset = primary.onset ?? primary.effective ?? alert.sent;
    const expires = primary.expires ?? new Date(onset.getTime() + DEFAULT_VALIDITY_MS);
    const headline = primary.headline ?? primary.event;
    return {
      event: primary.event,
      level,
      headline,
      description: primary.description ?? headline,
      instruction: primary.instruction ?? '请关注预警信息并做好防范。',
      areas: { regionCodes, polygons: primary.areas.flatMap((a) => a.polygons) },
      onset: onset.toISOString(),
      expires: expires.toISOString(),
      status: alert.status as CreateWarningRequest['status'],
      ...(english
        ? {
            en: {
              event: english.event,
              headline: english.headline ?? english.event,
              description: english.description ?? english.headline ?? english.event,
              ...(english.instruction ? { instruction: english.instruction } : {}),
            },
          }
        : {}),
    };
  }

  private async alertOf(w: WarningRow): Promise<CapAlert> {
    const names = await this.areas.namesOf(w.region_codes);
    const area = {
      areaDesc: w.region_codes.map((c) => names.get(c) ?? c).join('、'),
      polygons: w.polygons,
      geocodes: w.region_codes.map((value) => ({ valueName: REGION_GEOCODE, value })),
    };
    const base: Omit<CapInfo, 'language' | 'event' | 'headline' | 'description' | 'instruction'> = {
      category: [capCategoryOfEvent(w.event)],
      urgency: w.level === 'red' || w.level === 'orange' ? 'Immediate' : 'Expected',
      severity: severityOfLevel(w.level),
      certainty: 'Likely',
      onset: w.onset,
      expires: w.expires,
      parameters: [],
      areas: [area],
    };
    const info: CapInfo[] = [
      {
        ...base,
        language: 'zh-CN',
        event: w.event,
        headline: w.headline,
        description: w.description,
        instruction: w.instruction,
      },
    ];
    if (w.en)
      info.push({
        ...base,
        language: 'en-US',
        event: w.en.event ?? w.event,
        headline: w.en.headline,
        description: w.en.description,
        ...(w.en.instruction ? { instruction: w.en.instruction } : {}),
      });
    return {
      identifier: w.identifier,
      sender: w.sender,
      sent: sentOf(w),
      status: w.status,
      msgType: w.msg_type,
      scope: 'Public',
      references: w.refs.map((r) => ({ ...r, sent: new Date(r.sent) })),
      info,
    };
  }
}
