import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { DirectiveEscalationPayload } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { EV } from '../../lib/events.js';

/** The escalation ladder's steps by the level a recipient has reached (libs/domain ESCALATION_LADDER). */
export const STEP_LABEL: MessageKey[] = ['board.step0', 'board.step1', 'board.step2', 'board.step3'];

export const stepLabel = (level: number): MessageKey =>
  STEP_LABEL[Math.min(Math.max(level, 0), STEP_LABEL.length - 1)]!;

/** A toast stays this long unless dismissed: long enough to be read across a duty room. */
const TOAST_MS = 20_000;
/** More than this many at once and the oldest go: the standing queue keeps the full picture. */
const MAX_TOASTS = 5;

export interface EscalationToast extends DirectiveEscalationPayload {
  key: string;
  /** when this browser showed it (ms): the board's 1 s budget is measured from `at` to this */
  shownAt: number;
}

export const recipientKey = (directiveId: string, siteId: string) => `${directiveId}:${siteId}`;

/**
 * Every escalation step that reaches this dispatcher (the boards watched, and as issuer):
 * a toast and one chime at once, and which recipients were found with no leader on duty.
 */
export function useEscalationAlerts(socket: Socket | null, onStep: (p: DirectiveEscalationPayload) => void) {
  const [toasts, setToasts] = useState<EscalationToast[]>([]);
  const [noLeader, setNoLeader] = useState<ReadonlySet<string>>(new Set());
  const dismiss = useCallback((key: string) => setToasts((ts) => ts.filter((x) => x.key !== key)), []);

  useEffect(() => {
    if (!socket) return;
    const onEscalation = (p: DirectiveEscalationPayload) => {
      const key = `${recipientKey(p.directiveId, p.siteId)}:${p.escalationLevel}`;
      setToasts((ts) =>
        ts.some((x) => x.key === key) ? ts : [...ts, { ...p, key, shownAt: Date.now() }].slice(-MAX_TOASTS),
      );
      if (p.noLeader) setNoLeader((s) => new Set(s).add(recipientKey(p.directiveId, p.siteId)));
      alarm.chime(p.level);
      document.documentElement.dataset.chimes = String(alarm.chimes);
      setTimeout(() => setToasts((ts) => ts.filter((x) => x.key !== key)), TOAST_MS);
      onStep(p);
    };
    socket.on(EV.escalation, onEscalation);
    return () => void socket.off(EV.escalation, onEscalation);
  }, [socket, onStep]);

  return { toasts, dismiss, noLeader };
}
