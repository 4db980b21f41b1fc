/**
 * Getting a duty officer's attention when the console is not in front of them: a blinking
 * tab title, an OS notification, and a screen wake-lock so the screen never sleeps on duty.
 */

/** Blinks the tab title with `text` while `on`; restores the page's own title when off. */
export function blinkTitle(on: boolean, text: string): () => void {
  if (!on) return () => undefined;
  const base = document.title;
  let flip = false;
  const h = setInterval(() => {
    flip = !flip;
    document.title = flip ? text : base;
  }, 1000);
  return () => {
    clearInterval(h);
    document.title = base;
  };
}

export const notifications = {
  get supported(): boolean {
    return typeof Notification !== 'undefined';
  },
  /** Not yet asked: the duty page keeps its 「点击进入值守」 until the officer has been asked once. */
  get undecided(): boolean {
    return this.supported && Notification.permission === 'default';
  },
  /** Must run inside a click: browsers only ask on a user gesture. */
  async ask(): Promise<void> {
    if (!this.supported || Notification.permission !== 'default') return;
    await Notification.requestPermission();
  },
  show(title: string, body: string, tag: string): void {
    if (!this.supported || Notification.permission !== 'granted') return;
    const n = new Notification(title, { body, tag, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  },
};

/**
 * Keeps the screen awake while the duty page is shown. The browser drops the lock whenever
 * the tab is hidden, so it is taken again each time the page becomes visible.
 */
export function holdWakeLock(): () => void {
  // absent on plain http and in older browsers
  const wl = 'wakeLock' in navigator ? navigator.wakeLock : undefined;
  if (!wl) return () => undefined;
  let sentinel: WakeLockSentinel | null = null;
  let stopped = false;
  const take = () => {
    if (stopped || document.visibilityState !== 'visible' || (sentinel && !sentinel.released)) return;
    wl.request('screen')
      .then((s) => {
        if (stopped) void s.release();
        else sentinel = s;
      })
      .catch((err: unknown) => console.warn('screen wake-lock refused', err));
  };
  take();
  document.addEventListener('visibilitychange', take);
  return () => {
    stopped = true;
    document.removeEventListener('visibilitychange', take);
    void sentinel?.release();
  };
}
