import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/index.js';

/**
 * What the talkgroup says: every receive track plays through its own <audio> element (only
 * the floor holder's carries sound; Chromium feeds a remote WebRTC track to WebAudio only
 * while an element plays it), and an AnalyserNode over all of them drives the level meter.
 */
export function Incoming({ tracks }: { tracks: MediaStreamTrack[] }) {
  const { t } = useI18n();
  const [level, setLevel] = useState(0);
  const ctx = useRef<AudioContext | null>(null);
  const analyser = useRef<AnalyserNode | null>(null);
  const sources = useRef(new Map<string, MediaStreamAudioSourceNode>());

  useEffect(() => {
    const c = new AudioContext();
    const a = c.createAnalyser();
    a.fftSize = 1024;
    ctx.current = c;
    analyser.current = a;
    const buf = new Float32Array(a.fftSize);
    let raf = 0;
    let last = 0;
    const tick = (ts: number) => {
      raf = requestAnimationFrame(tick);
      if (ts - last < 100) return;
      last = ts;
      a.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      // RMS in dBFS mapped onto 0..1 over a 60 dB range
      const db = 10 * Math.log10(sum / buf.length + 1e-12);
      setLevel(Math.max(0, Math.min(1, (db + 60) / 60)));
    };
    raf = requestAnimationFrame(tick);
    const sourcesNow = sources.current;
    return () => {
      cancelAnimationFrame(raf);
      sourcesNow.clear();
      void c.close();
    };
  }, []);

  useEffect(() => {
    const c = ctx.current;
    const a = analyser.current;
    if (!c || !a) return;
    if (c.state === 'suspended') void c.resume();
    const live = new Set(tracks.map((tr) => tr.id));
    for (const [id, node] of sources.current)
      if (!live.has(id)) {
        node.disconnect();
        sources.current.delete(id);
      }
    for (const tr of tracks)
      if (!sources.current.has(tr.id)) {
        const node = c.createMediaStreamSource(new MediaStream([tr]));
        node.connect(a);
        sources.current.set(tr.id, node);
      }
  }, [tracks]);

  return (
    <section className="radio-incoming" aria-label={t('radio.incoming')}>
      <h3>{t('radio.incoming')}</h3>
      <meter
        className="radio-meter"
        data-testid="radio-meter"
        aria-label={t('radio.level')}
        min={0}
        max={1}
        low={0.3}
        high={0.85}
        value={level}
      />
      {tracks.map((tr) => (
        <RemoteAudio key={tr.id} track={tr} />
      ))}
    </section>
  );
}

function RemoteAudio({ track }: { track: MediaStreamTrack }) {
  const el = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (!el.current) return;
    el.current.srcObject = new MediaStream([track]);
    void el.current.play().catch(() => undefined);
  }, [track]);
  return <audio ref={el} autoPlay data-testid="radio-audio" />;
}
