import type { RadioTalker, RadioUnkeyReason } from '#contracts';

/** Gateways keyed for a transmission: every one but the talker's own (it is the source). */
export function keyTargets(gateways: string[], talker: RadioTalker): string[] {
  return gateways.filter((id) => !(talker.kind === 'gateway' && talker.id === id));
}

/**
 * Gateways told a transmission ended: those keyed for it, and for a cut (pre-empted, timed
 * out, inhibited, shutdown) the talker's own gateway too, so it knows why it lost the floor.
 */
export function unkeyTargets(gateways: string[], talker: RadioTalker, reason: RadioUnkeyReason): string[] {
  return reason === 'ended' ? keyTargets(gateways, talker) : [...gateways];
}
