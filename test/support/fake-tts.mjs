#!/usr/bin/env node
// A stand-in for espeak-ng (RADIO_TTS_COMMAND) where a test is about where a broadcast goes,
// not what it says: reads the text on stdin like espeak-ng (`--stdin --stdout`, other
// arguments ignored) and writes 0.6 s of a 440 Hz tone as a PCM16 mono WAV at 22050 Hz;
// a text holding `[N s]` (e.g. `[5 s]`) gets N seconds instead, for a test that needs time.
// With FAKE_TTS_LOG set (a wrapper script sets it: the command is spawned with the hub's own
// environment), each text is appended to that file as one JSON line, for a test about what
// is said.
import { appendFileSync } from 'node:fs';

const RATE = 22050;
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  if (process.env.FAKE_TTS_LOG) appendFileSync(process.env.FAKE_TTS_LOG, `${JSON.stringify(text)}\n`);
  const asked = /\[(\d+(?:\.\d+)?) s\]/.exec(text);
  const n = Math.round(RATE * Math.min(asked ? Number(asked[1]) : 0.6, 30));
  const wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + n * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(RATE, 24);
  wav.writeUInt32LE(RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / RATE)), 44 + i * 2);
  process.stdout.write(wav);
});
