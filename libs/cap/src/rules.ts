import { parseCapTime } from './time.js';
import type { CapError } from './types.js';
import type { XmlElement } from './xml-reader.js';

/**
 * The rules of CAP 1.2 the XSD cannot express (after google/cap-library's CapValidator and
 * the CAP 1.2 text), checked on a document the schema has accepted. Each error names the
 * element and its line.
 */
export function capRuleErrors(alert: XmlElement): CapError[] {
  const errors: CapError[] = [];
  const fail = (el: XmlElement, message: string) => errors.push({ message, line: el.line });
  const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
  const one = (el: XmlElement, name: string) => kids(el, name)[0];

  // CAP 1.2 §3.2.1: they are joined with commas and spaces in <references>, so neither may
  // hold a space, a comma or the restricted characters < and &.
  for (const name of ['identifier', 'sender']) {
    const el = one(alert, name);
    if (el && /[\s,<&]/.test(el.text)) fail(el, `<${name}> must not contain spaces, commas, < or &`);
  }

  const scope = one(alert, 'scope')?.text.trim();
  const restriction = one(alert, 'restriction');
  const addresses = one(alert, 'addresses');
  // The direction CapValidator checks: the scope needs its element, with content. The
  // converse is no error: canada.cap, a valid cap-library sample, has both under Public.
  if (scope === 'Restricted' && !restriction?.text.trim())
    fail(alert, '<restriction> is required when <scope> is Restricted');
  if (scope === 'Private' && !addresses?.text.trim())
    fail(alert, '<addresses> is required when <scope> is Private');

  for (const name of ['sent', 'effective', 'onset', 'expires']) {
    for (const el of [alert, ...kids(alert, 'info')].flatMap((e) => kids(e, name))) {
      if (!parseCapTime(el.text))
        fail(el, `<${name}> ${el.text.trim()} is not a time with a ±hh:mm offset (never Z)`);
    }
  }

  const references = one(alert, 'references');
  if (references) {
    for (const ref of references.text.trim().split(/\s+/)) {
      const parts = ref.split(',');
      if (parts.length !== 3 || !parts[0] || !parts[1] || !parseCapTime(parts[2]!)) {
        fail(references, `<references> entry "${ref}" is not sender,identifier,sent`);
      }
    }
  }

  for (const info of kids(alert, 'info')) {
    const onset = one(info, 'onset');
    const expires = one(info, 'expires');
    const [from, to] = [onset && parseCapTime(onset.text), expires && parseCapTime(expires.text)];
    if (expires && from && to && to.getTime() < from.getTime()) fail(expires, '<expires> is before <onset>');
    for (const area of kids(info, 'area')) {
      for (const polygon of kids(area, 'polygon')) {
        const problem = polygonProblem(polygon.text);
        if (problem) fail(polygon, `<polygon> ${problem}`);
      }
      for (const circle of kids(area, 'circle')) {
        if (!circleOk(circle.text))
          fail(circle, '<circle> is not "lat,lon radius" with a valid point and a radius ≥ 0');
      }
      if (one(area, 'ceiling') && !one(area, 'altitude'))
        fail(one(area, 'ceiling')!, '<ceiling> needs <altitude>');
    }
  }
  return errors;
}

function point(text: string): [number, number] | null {
  const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return null;
  const [lat, lon] = [Number(m[1]), Number(m[2])];
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
}

/** Why a polygon's text is not a closed ring of ≥ 4 WGS 84 "lat,lon" points, or null if it is. */
export function polygonProblem(text: string): string | null {
  const raw = text.trim().split(/\s+/);
  const points = raw.map(point);
  const bad = points.findIndex((p) => p === null);
  if (bad !== -1) return `point "${raw[bad]}" is not "lat,lon" within ±90,±180`;
  if (points.length < 4) return `has ${points.length} points; at least 4 are needed`;
  const [first, last] = [points[0]!, points.at(-1)!];
  if (first[0] !== last[0] || first[1] !== last[1])
    return 'first and last points differ; a polygon must be closed';
  return null;
}

function circleOk(text: string): boolean {
  const [center, radius, ...rest] = text.trim().split(/\s+/);
  return rest.length === 0 && !!center && point(center) !== null && /^\d+(?:\.\d+)?$/.test(radius ?? '');
}
