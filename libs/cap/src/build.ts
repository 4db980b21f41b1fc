import { escapeXml } from './escape.js';
import { formatCapTime } from './time.js';
import type { CapAlert, CapArea, CapInfo, CapReference, CapValuePair } from './types.js';

export const CAP12_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

/** `sender,identifier,sent` of each earlier message, space-separated (CAP 1.2 §3.2.1). */
export function formatReferences(refs: CapReference[]): string {
  return refs.map((r) => `${r.sender},${r.identifier},${formatCapTime(r.sent)}`).join(' ');
}

type Line = string | false | undefined;

const el = (indent: string, name: string, value: string | number | undefined): Line =>
  value === undefined ? undefined : `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
const time = (indent: string, name: string, value: Date | undefined): Line =>
  value === undefined ? undefined : el(indent, name, formatCapTime(value));
const pair = (indent: string, name: string, p: CapValuePair): string =>
  `${indent}<${name}><valueName>${escapeXml(p.valueName)}</valueName><value>${escapeXml(p.value)}</value></${name}>`;

function area(a: CapArea): Line[] {
  const i = '      ';
  return [
    '    <area>',
    el(i, 'areaDesc', a.areaDesc),
    ...a.polygons.map((p) => el(i, 'polygon', p)),
    ...(a.circles ?? []).map((c) => el(i, 'circle', c)),
    ...a.geocodes.map((g) => pair(i, 'geocode', g)),
    el(i, 'altitude', a.altitude),
    el(i, 'ceiling', a.ceiling),
    '    </area>',
  ];
}

function info(n: CapInfo): Line[] {
  const i = '    ';
  return [
    '  <info>',
    el(i, 'language', n.language),
    ...n.category.map((c) => el(i, 'category', c)),
    el(i, 'event', n.event),
    ...(n.responseType ?? []).map((r) => el(i, 'responseType', r)),
    el(i, 'urgency', n.urgency),
    el(i, 'severity', n.severity),
    el(i, 'certainty', n.certainty),
    el(i, 'audience', n.audience),
    ...(n.eventCodes ?? []).map((c) => pair(i, 'eventCode', c)),
    time(i, 'effective', n.effective),
    time(i, 'onset', n.onset),
    time(i, 'expires', n.expires),
    el(i, 'senderName', n.senderName),
    el(i, 'headline', n.headline),
    el(i, 'description', n.description),
    el(i, 'instruction', n.instruction),
    el(i, 'web', n.web),
    el(i, 'contact', n.contact),
    ...n.parameters.map((p) => pair(i, 'parameter', p)),
    ...(n.resources ?? []).flatMap((r) => [
      '    <resource>',
      el('      ', 'resourceDesc', r.resourceDesc),
      el('      ', 'mimeType', r.mimeType),
      el('      ', 'size', r.size),
      el('      ', 'uri', r.uri),
      el('      ', 'digest', r.digest),
      '    </resource>',
    ]),
    ...n.areas.flatMap(area),
    '  </info>',
  ];
}

/**
 * The alert as CAP 1.2 XML, elements in the schema's sequence (an XSD sequence is ordered:
 * any other order is invalid), every value escaped, times in Beijing time. UTF-8 is the
 * declared encoding; the caller sends the string as UTF-8 bytes.
 */
export function buildCapXml(alert: CapAlert): string {
  const i = '  ';
  const lines: Line[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<alert xmlns="${CAP12_NS}">`,
    el(i, 'identifier', alert.identifier),
    el(i, 'sender', alert.sender),
    time(i, 'sent', alert.sent),
    el(i, 'status', alert.status),
    el(i, 'msgType', alert.msgType),
    el(i, 'source', alert.source),
    el(i, 'scope', alert.scope),
    el(i, 'restriction', alert.restriction),
    el(i, 'addresses', alert.addresses),
    ...(alert.code ?? []).map((c) => el(i, 'code', c)),
    el(i, 'note', alert.note),
    alert.references.length > 0 && el(i, 'references', formatReferences(alert.references)),
    el(i, 'incidents', alert.incidents),
    ...alert.info.flatMap(info),
    '</alert>',
  ];
  return lines.filter((l): l is string => typeof l === 'string').join('\n') + '\n';
}
