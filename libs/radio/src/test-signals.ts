/** Seeded signals for the specs: the same noise every run, so a failure reproduces. */

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1) */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** white Gaussian noise of the given RMS (in samples) */
export function noise(n: number, rms: number, seed: number): Int16Array {
  const rand = prng(seed);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    out[i] = Math.max(-32768, Math.min(32767, Math.round(g * rms)));
  }
  return out;
}

/** a + b, clipped */
export function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, (a[i] ?? 0) + (b[i] ?? 0)));
  return out;
}

/**
 * Speech-like: voiced stretches with a gliding pitch (90–260 Hz) and harmonics shaped by
 * moving formants, syllable-rate loudness, and unvoiced noise bursts.
 */
export function speechLike(ms: number, seed: number, rate = 8000): Int16Array {
  const rand = prng(seed);
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  let phase = 0;
  let f0 = 140;
  let gains: number[] = [];
  const hiss = noise(n, 1500, seed + 1);
  for (let i = 0; i < n; i++) {
    if (i % 400 === 0) {
      f0 = 90 + rand() * 170;
      const formants = [300 + rand() * 600, 900 + rand() * 1300, 2200 + rand() * 800];
      gains = [];
      for (let h = 1; h * f0 < rate / 2; h++) {
        gains.push(formants.reduce((g, f) => g + 1 / (1 + ((h * f0 - f) / 120) ** 2), 0) / h ** 0.5);
      }
    }
    phase = (phase + (2 * Math.PI * f0) / rate) % (2 * Math.PI);
    const syllable = Math.max(0, Math.sin((2 * Math.PI * 4 * i) / rate));
    const voiced = Math.floor(i / 1600) % 3 !== 2;
    let v = 0;
    if (voiced) {
      // sin(h·φ) by the Chebyshev recurrence: one sin and one cos per sample, not one per harmonic
      const c = 2 * Math.cos(phase);
      let prev = 0;
      let cur = Math.sin(phase);
      for (const g of gains) {
        v += g * cur;
        const next = c * cur - prev;
        prev = cur;
        cur = next;
      }
      v *= 4000;
    } else {
      v = hiss[i]!;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * syllable)));
  }
  return out;
}
