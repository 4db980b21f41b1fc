import { escapeXml } from './escape.js';
import { formatCapTime } from './time.js';
import type { AtomFeed } from './types.js';

const attr = escapeXml;

/**
 * An Atom (RFC 4287) feed of warnings, one entry per CAP message, each linking its CAP
 * document as `application/cap+xml` (the way national feeds and Alertus-style receivers
 * consume CAP). The feed's author is its title: Atom requires one, and the hub is the author.
 */
export function buildAtomFeed(p: AtomFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(p.id)}</id>`,
    `  <title>${escapeXml(p.title)}</title>`,
    `  <updated>${formatCapTime(p.updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${attr(p.selfUrl)}"/>`,
    `  <author><name>${escapeXml(p.title)}</name></author>`,
  ];
  for (const e of p.entries) {
    lines.push(
      '  <entry>',
      `    <id>${escapeXml(e.id)}</id>`,
      `    <title>${escapeXml(e.title)}</title>`,
      `    <updated>${formatCapTime(e.updated)}</updated>`,
      `    <summary>${escapeXml(e.summary)}</summary>`,
      `    <link rel="alternate" type="application/cap+xml" href="${attr(e.capUrl)}"/>`,
    );
    if (e.level) lines.push(`    <category term="${e.level}" scheme="urn:yihu:warning-level"/>`);
    lines.push('  </entry>');
  }
  lines.push('</feed>');
  return lines.join('\n') + '\n';
}
