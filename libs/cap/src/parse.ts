import { parseCapTime } from './time.js';
import type {
  CapAlert,
  CapArea,
  CapInfo,
  CapReference,
  CapResource,
  CapValidation,
  CapValuePair,
} from './types.js';
import { checkCap } from './validate.js';
import type { XmlElement } from './xml-reader.js';

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const text = (el: XmlElement, name: string) => kids(el, name)[0]?.text.trim();
const texts = (el: XmlElement, name: string) => kids(el, name).map((c) => c.text.trim());
const num = (el: XmlElement, name: string) => {
  const t = text(el, name);
  return t === undefined ? undefined : Number(t);
};
/** Only called on documents checkCap accepted, whose times the rules already checked. */
const time = (el: XmlElement, name: string) => {
  const t = text(el, name);
  return t === undefined ? undefined : (parseCapTime(t) ?? undefined);
};
const pairs = (el: XmlElement, name: string): CapValuePair[] =>
  kids(el, name).map((p) => ({ valueName: text(p, 'valueName') ?? '', value: text(p, 'value') ?? '' }));

/** Optional fields are left out rather than set to undefined, so results compare cleanly. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function parseReferences(value: string): CapReference[] {
  return value
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((ref) => {
      const [sender, identifier, sent] = ref.split(',');
      return { sender: sender!, identifier: identifier!, sent: parseCapTime(sent!)! };
    });
}

function area(a: XmlElement): CapArea {
  const circles = texts(a, 'circle');
  return defined({
    areaDesc: text(a, 'areaDesc') ?? '',
    polygons: texts(a, 'polygon'),
    geocodes: pairs(a, 'geocode'),
    circles: circles.length > 0 ? circles : undefined,
    altitude: num(a, 'altitude'),
    ceiling: num(a, 'ceiling'),
  });
}

function resource(r: XmlElement): CapResource {
  return defined({
    resourceDesc: text(r, 'resourceDesc') ?? '',
    mimeType: text(r, 'mimeType') ?? '',
    size: num(r, 'size'),
    uri: text(r, 'uri'),
    digest: text(r, 'digest'),
  });
}

function info(n: XmlElement): CapInfo {
  const responseType = texts(n, 'responseType');
  const eventCodes = pairs(n, 'eventCode');
  const resources = kids(n, 'resource').map(resource);
  return defined({
    // The schema's default for a missing <language>.
    language: text(n, 'language') ?? 'en-US',
    category: texts(n, 'category'),
    event: text(n, 'event') ?? '',
    responseType: responseType.length > 0 ? responseType : undefined,
    urgency: text(n, 'urgency') ?? 'Unknown',
    severity: (text(n, 'severity') ?? 'Unknown') as CapInfo['severity'],
    certainty: text(n, 'certainty') ?? 'Unknown',
    audience: text(n, 'audience'),
    eventCodes: eventCodes.length > 0 ? eventCodes : undefined,
    effective: time(n, 'effective'),
    onset: time(n, 'onset'),
    expires: time(n, 'expires'),
    senderName: text(n, 'senderName'),
    headline: text(n, 'headline'),
    description: kids(n, 'description')[0]?.text,
    instruction: kids(n, 'instruction')[0]?.text,
    web: text(n, 'web'),
    contact: text(n, 'contact'),
    parameters: pairs(n, 'parameter'),
    resources: resources.length > 0 ? resources : undefined,
    areas: kids(n, 'area').map(area),
  });
}

/** A CAP 1.2 document's alert, after the whole of validateCap has accepted it. */
export async function parseCap(
  xml: string | Uint8Array,
): Promise<{ alert: CapAlert } | { errors: CapValidation['errors'] }> {
  const { validation, root } = await checkCap(xml);
  if (!validation.valid || !root) return { errors: validation.errors };
  const code = texts(root, 'code');
  const references = text(root, 'references');
  const alert: CapAlert = defined({
    identifier: text(root, 'identifier')!,
    sender: text(root, 'sender')!,
    sent: time(root, 'sent')!,
    status: text(root, 'status') as CapAlert['status'],
    msgType: text(root, 'msgType') as CapAlert['msgType'],
    source: text(root, 'source'),
    scope: text(root, 'scope') as CapAlert['scope'],
    restriction: text(root, 'restriction'),
    addresses: text(root, 'addresses'),
    code: code.length > 0 ? code : undefined,
    note: text(root, 'note'),
    references: references ? parseReferences(references) : [],
    incidents: text(root, 'incidents'),
    info: kids(root, 'info').map(info),
  });
  return { alert };
}
