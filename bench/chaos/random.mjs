// A seeded PRNG (mulberry32), so a run's fault schedule and choices replay from CHAOS_SEED.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (random, xs) => xs[Math.floor(random() * xs.length)];

/** a child process spoken to by request/answer over IPC */
export function ipc(child) {
  let next = 1;
  const waiting = new Map();
  child.on('message', (m) => {
    const w = waiting.get(m.id);
    if (w) (waiting.delete(m.id), w(m));
  });
  return (msg) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.send({ ...msg, id });
    });
}
