import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Child } from './child.js';
import { GpioButton, GpioCor, GpioPtt, type GpiodTools } from './gpio.js';

// No GPIO chip here: stand-in gpioset/gpioget/gpiomon scripts record how the drivers run
// them (arguments, when the holder is stopped), and print what libgpiod 1.6 would print.
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out: ${what}`);
};

function tools(monOutput: string[], getOutput = '0'): { tools: GpiodTools; log: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gpiod-'));
  const log = join(dir, 'log');
  writeFileSync(log, '');
  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  return {
    tools: {
      gpioset: script(
        'gpioset',
        `echo "set $*" >> ${log}
case "$1" in --mode=signal) trap 'echo "released $*" >> ${log}; exit 0' TERM; while :; do sleep 0.02; done;; esac`,
      ),
      gpioget: script('gpioget', `echo "get $*" >> ${log}; echo ${getOutput}`),
      gpiomon: script(
        'gpiomon',
        `echo "mon $*" >> ${log}; sleep 0.2; ${monOutput.map((l) => `echo ${l}; sleep 0.05`).join('; ')}; trap 'exit 0' TERM; while :; do sleep 0.02; done`,
      ),
    },
    log: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean),
  };
}

describe('GPIO drivers with libgpiod processes', () => {
  it('PTT: inactive at start, held by gpioset --mode=signal while keyed, stopped and set inactive on unkey', async () => {
    const t = tools([]);
    const errors: string[] = [];
    const ptt = new GpioPtt(
      { chip: 'gpiochip0', line: 17, activeLow: false },
      (m) => errors.push(m),
      t.tools,
    );
    await until(() => t.log().length === 1, 'the initial release');
    expect(t.log()).toEqual(['set gpiochip0 17=0']);
    ptt.set(true);
    ptt.set(true);
    await until(() => t.log().length === 2, 'the holder');
    expect(t.log()[1]).toBe('set --mode=signal gpiochip0 17=1');
    ptt.set(false);
    await until(() => t.log().length === 4, 'release');
    expect(t.log().slice(2).sort()).toEqual(['released --mode=signal gpiochip0 17=1', 'set gpiochip0 17=0']);
    ptt.stop();
    await until(() => t.log().length === 5, 'stop sets inactive');
    expect(errors).toEqual([]);
  });

  it('COR: the level now from gpioget, then each edge from gpiomon, without repeats', async () => {
    const t = tools(['1', '1', '0'], '0');
    const cor = new GpioCor({ chip: 'gpiochip0', line: 27, activeLow: true }, t.tools);
    const seen: boolean[] = [];
    const errors: string[] = [];
    cor.start(
      (up) => seen.push(up),
      (m) => errors.push(m),
    );
    await until(() => seen.length === 3, 'three levels');
    expect(seen).toEqual([false, true, false]);
    expect(errors).toEqual([]);
    expect(t.log().sort()).toEqual([
      'get --active-low gpiochip0 27',
      'mon --line-buffered --format=%e --active-low gpiochip0 27',
    ]);
    cor.stop();
  });

  it('emergency button: each rising edge is one press; the level at start is none', async () => {
    const t = tools(['1', '0', '1', '0'], '1');
    const button = new GpioButton({ chip: 'gpiochip0', line: 5, activeLow: false }, t.tools);
    let presses = 0;
    button.start(
      () => presses++,
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 700));
    button.stop();
    expect(presses).toBe(1);
  });
});

describe('Child', () => {
  it('reports an exit with its last stderr line and starts the program again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'child-'));
    const count = join(dir, 'count');
    const errors: string[] = [];
    const child = new Child('sh', ['-c', `echo run >> ${count}; echo "no such device" >&2; exit 3`], {
      onError: (m) => errors.push(m),
      restart: true,
    });
    child.start();
    await until(() => errors.length >= 2, 'two exits');
    child.stop();
    expect(errors[0]).toBe('sh exited (3): no such device');
    expect(readFileSync(count, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
