import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildCapXml,
  CapValidatorBusyError,
  capIdentifier,
  parseCap,
  severityOfLevel,
  validateCap,
  type CapAlert,
  type WarningLevel,
} from '#cap';
import { countingServer } from '../support/counting-server.js';

const SCHEMA = new URL('../../libs/cap/schema/cap12.xsd', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../fixtures/cap/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'yihu-cap-'));

/** Debian's xmllint (libxml2-utils), the reference the issue names: true when the file validates. */
function xmllint(path: string): { ok: boolean; output: string } {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, path], { encoding: 'utf8' });
  return { ok: run.status === 0, output: run.stderr };
}

function warning(level: WarningLevel, i: number): CapAlert {
  const sent = new Date(Date.UTC(2026, 11, 6, 15, 59, 59) + i * 3_600_000);
  const original = {
    sender: 'yihu@130600',
    identifier: capIdentifier({ regionCode: '130600', at: sent, seq: 0 }),
    sent,
  };
  return {
    identifier: capIdentifier({ regionCode: '130600', orgCode: '042', at: sent, seq: i % 10 }),
    sender: 'yihu@130600',
    sent,
    status: (['Actual', 'Exercise', 'Test'] as const)[i % 3]!,
    msgType: (['Alert', 'Update', 'Cancel'] as const)[i % 3]!,
    scope: 'Public',
    references: i % 3 === 0 ? [] : [original],
    note: i % 3 === 2 ? `解除 <原因> & "说明" 'x' \u0001` : undefined,
    info: ['zh-CN', 'en-US'].slice(0, 1 + (i % 2)).map((language) => ({
      language,
      category: ['Met'],
      event: language === 'zh-CN' ? '暴雨' : 'Rainstorm',
      urgency: 'Expected',
      severity: severityOfLevel(level),
      certainty: 'Likely',
      headline: `${level} ]]> <b>&amp;</b> 预警 ${i}`,
      description: '第一行\r\n第二行\t制表',
      onset: new Date(sent.getTime() + 1_800_000),
      expires: new Date(sent.getTime() + 86_400_000),
      parameters: [{ valueName: 'level', value: level }],
      areas: [
        {
          areaDesc: '城关镇',
          polygons: i % 2 ? ['38.87,115.46 38.90,115.52 38.84,115.55 38.87,115.46'] : [],
          geocodes: [
            { valueName: 'GB/T 2260', value: '130601' },
            { valueName: 'GB/T 2260', value: '130602' },
          ],
        },
      ],
    })),
  };
}

describe('CAP as the hub builds it, checked by validateCap and by Debian xmllint', () => {
  it('xmllint is installed (libxml2-utils, in .ci/run)', () => {
    expect(
      execFileSync('xmllint', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ).toBeDefined();
  });

  const alerts = (['red', 'orange', 'yellow', 'blue'] as const).flatMap((level, l) =>
    [0, 1, 2].map((k) => warning(level, l * 3 + k)),
  );

  it.each(alerts.map((a, i) => [i, a] as const))(
    'built alert %i validates with both and parses back',
    async (i, alert) => {
      const xml = buildCapXml(alert);
      const path = join(dir, `built-${i}.xml`);
      writeFileSync(path, xml);
      expect(xmllint(path)).toEqual({ ok: true, output: `${path} validates\n` });
      expect(await validateCap(xml)).toEqual({ valid: true, version: '1.2', errors: [] });
      const parsed = await parseCap(xml);
      if (!('alert' in parsed)) throw new Error(JSON.stringify(parsed));
      expect(parsed.alert.identifier).toBe(alert.identifier);
      expect(parsed.alert.references).toEqual(alert.references);
      expect(parsed.alert.info.map((n) => n.headline)).toEqual(alert.info.map((n) => n.headline));
    },
  );

  it('a document both validators refuse: out of order, with the element named', async () => {
    const alert = warning('red', 0);
    const xml = buildCapXml(alert).replace(
      /(<status>.*<\/status>)\n(\s*)(<msgType>.*<\/msgType>)/,
      '$3\n$2$1',
    );
    const path = join(dir, 'swapped.xml');
    writeFileSync(path, xml);
    expect(xmllint(path).ok).toBe(false);
    const result = await validateCap(xml);
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toContain("Element 'msgType'");
    expect(result.errors[0]!.line).toBe(6);
  });

  it.each([
    ['canada.cap', true],
    ['australia.cap', true],
    ['de-valid.xml', true],
    ['invalid.cap', false],
  ])('%s: validateCap and xmllint agree (valid: %s)', async (name, valid) => {
    expect(xmllint(fixture(name)).ok).toBe(valid);
    expect((await validateCap(readFileSync(fixture(name)))).valid).toBe(valid);
  });
});

describe('a hostile document makes no network request', () => {
  let net: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => {
    net = await countingServer();
  });
  afterAll(() => net.close());

  it('xee.cap pointed at a live local server is refused, and the server sees nothing', async () => {
    // the server works: a request to it is counted
    await (await fetch(`${net.url}/probe`)).text();
    expect(net.requests()).toEqual(['GET /probe']);
    const hostile = readFileSync(fixture('xee.cap'), 'utf8').replaceAll('localhost:8080', net.url.slice(7));
    const variants = [
      hostile,
      hostile.replace(/<!DOCTYPE[\s\S]*?\]>/, ''),
      hostile.replace(/<!DOCTYPE[\s\S]*?\]>/, '').replaceAll('&xxe;', ''),
    ];
    for (const doc of variants) {
      const result = await validateCap(doc);
      expect(result.valid).toBe(false);
      expect(result.errors[0]!.message).toMatch(/refused/);
      expect('errors' in (await parseCap(doc))).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(net.requests()).toEqual(['GET /probe']);
  });
});

describe('the schema checker under a burst', () => {
  it('queues a bounded number of checks and refuses the rest at once as busy, not as invalid', async () => {
    const xml = readFileSync(fixture('invalid.cap'));
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => validateCap(xml)));
    const busy = results.filter((r) => r.status === 'rejected');
    const judged = results.filter((r) => r.status === 'fulfilled');
    // 2 running + 16 waiting are judged; the other 12 are refused without waiting
    expect(judged).toHaveLength(18);
    expect(busy).toHaveLength(12);
    for (const r of busy) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CapValidatorBusyError);
    for (const r of judged) expect((r as PromiseFulfilledResult<{ valid: boolean }>).value.valid).toBe(false);
    // and afterwards the queue is free again
    expect((await validateCap(xml)).version).toBe('1.2');
  });
});
