import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { concat, sine, silence } from '#radio';
import { aplayArgs, arecordArgs } from './alsa.js';
import { PcmReader, pcmBytes } from './child.js';
import { CM108_COR_MASK, cm108CorFromReport, cm108PttReport } from './cm108.js';
import { gpiogetArgs, gpiomonArgs, gpiosetHoldArgs, gpiosetOnceArgs, parseGpiomon } from './gpio.js';
import { SERIAL_HELPER, serialHelperArgs } from './serial.js';
import { VoxDetector } from './vox.js';

// Real hardware (a sound card, GPIO chip, serial port, CM108 dongle) is not on this machine:
// these check what each driver would send to it, and the pure logic around it.
describe('ALSA driver', () => {
  it('captures and plays raw S16_LE 8 kHz mono in 20 ms periods', () => {
    expect(arecordArgs('plughw:1,0')).toEqual([
      '-q',
      '-D',
      'plughw:1,0',
      '-f',
      'S16_LE',
      '-r',
      '8000',
      '-c',
      '1',
      '-t',
      'raw',
      '--period-time=20000',
      '--buffer-time=200000',
      '-',
    ]);
    expect(aplayArgs('default')).toContain('S16_LE');
    expect(aplayArgs('default').slice(0, 3)).toEqual(['-q', '-D', 'default']);
  });

  it('reads little-endian samples across chunk boundaries cut mid-sample', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const bytes = pcmBytes(pcm);
    const reader = new PcmReader();
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, 8), bytes.subarray(8)];
    expect(Array.from(concat(parts.map((p) => reader.push(p))))).toEqual(Array.from(pcm));
  });
});

describe('GPIO driver (libgpiod 1.6 tools)', () => {
  const ptt = { chip: 'gpiochip0', line: 17, activeLow: false };
  const cor = { chip: 'gpiochip0', line: 27, activeLow: true };
  it('builds the gpioset, gpioget and gpiomon command lines', () => {
    expect(gpiosetHoldArgs(ptt, 1)).toEqual(['--mode=signal', 'gpiochip0', '17=1']);
    expect(gpiosetOnceArgs(ptt, 0)).toEqual(['gpiochip0', '17=0']);
    expect(gpiosetOnceArgs({ ...ptt, activeLow: true }, 0)).toEqual(['--active-low', 'gpiochip0', '17=0']);
    expect(gpiogetArgs(cor)).toEqual(['--active-low', 'gpiochip0', '27']);
    expect(gpiomonArgs(cor)).toEqual(['--line-buffered', '--format=%e', '--active-low', 'gpiochip0', '27']);
  });

  it('parses gpiomon edges, keeping a cut line for the next read', () => {
    const first = parseGpiomon('1\n0\n1');
    expect(first).toEqual({ edges: [true, false], rest: '1' });
    expect(parseGpiomon(`${first.rest}\nnoise\n0\n`)).toEqual({ edges: [true, false], rest: '' });
  });
});

describe('CM108 driver', () => {
  it('writes the 5-byte HID output report for GPIO3 PTT (report id, 0, data, mask, 0)', () => {
    expect([...cm108PttReport(3, true)]).toEqual([0, 0, 0x04, 0x04, 0]);
    expect([...cm108PttReport(3, false)]).toEqual([0, 0, 0x00, 0x04, 0]);
    expect([...cm108PttReport(1, true)]).toEqual([0, 0, 0x01, 0x01, 0]);
    expect([...cm108PttReport(4, true, true)]).toEqual([0, 0, 0x00, 0x08, 0]);
    expect(() => cm108PttReport(5, true)).toThrow(RangeError);
  });

  it('reads the carrier from byte 0 of an input report', () => {
    expect(cm108CorFromReport(Buffer.from([0x02, 0, 0, 0]), CM108_COR_MASK.VOL_DN)).toBe(true);
    expect(cm108CorFromReport(Buffer.from([0x01, 0, 0, 0]), CM108_COR_MASK.VOL_DN)).toBe(false);
    expect(cm108CorFromReport(Buffer.from([0x02, 0, 0, 0]), CM108_COR_MASK.VOL_DN, true)).toBe(false);
    expect(cm108CorFromReport(Buffer.alloc(0), CM108_COR_MASK.VOL_UP)).toBeNull();
  });
});

describe('serial driver', () => {
  it('runs a python3 helper that python3 compiles, with the port, COR pin and polarity', () => {
    expect(serialHelperArgs('/dev/ttyUSB0', 'dcd', true).slice(2)).toEqual(['/dev/ttyUSB0', 'dcd', '1']);
    // compile only (no port here): a syntax error in the helper would fail on the board
    execFileSync('python3', ['-c', `compile(${JSON.stringify(SERIAL_HELPER)}, 'serial-helper', 'exec')`]);
  });

  it('fails cleanly on a port that is not there', () => {
    expect(() =>
      execFileSync('python3', serialHelperArgs('/dev/nonexistent-tty', 'dcd', false), {
        stdio: 'pipe',
        input: '',
      }),
    ).toThrow(/No such file/);
  });
});

describe('VOX', () => {
  const settings = { thresholdDbfs: -35, attackMs: 50, releaseMs: 500 };
  const run = (pcm: Int16Array) => {
    const vox = new VoxDetector(settings);
    const changes: { at: number; up: boolean }[] = [];
    for (let i = 0; i * 160 < pcm.length; i++) {
      const c = vox.push(pcm.subarray(i * 160, (i + 1) * 160));
      if (c !== null) changes.push({ at: (i + 1) * 20, up: c });
    }
    return changes;
  };

  it('rises after ~50 ms of speech-level audio and falls ~500 ms after it stops', () => {
    const changes = run(concat([silence(200), sine(1000, 1000, 8000, 0.1), silence(1000)]));
    expect(changes).toEqual([
      { at: 260, up: true },
      { at: 1700, up: false },
    ]);
  });

  it('ignores a click shorter than the attack, and holds through a short pause', () => {
    expect(run(concat([silence(200), sine(1000, 30, 8000, 0.5), silence(500)]))).toEqual([]);
    const changes = run(concat([sine(1000, 400), silence(300), sine(1000, 400), silence(600)]));
    expect(changes.map((c) => c.up)).toEqual([true, false]);
  });

  it('stays down for audio under the threshold (-40 dBFS hiss)', () => {
    expect(run(sine(1000, 1000, 8000, 0.01 * Math.SQRT2))).toEqual([]);
  });
});
