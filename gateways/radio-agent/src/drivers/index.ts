import type { RadioAgentConfig } from '../config.js';
import { AlsaAudio } from './alsa.js';
import { Cm108Cor, Cm108Ptt } from './cm108.js';
import { FileAudio } from './file.js';
import { GpioButton, GpioCor, GpioPtt } from './gpio.js';
import { MemoryAudio, MemoryCor, MemoryPtt } from './memory.js';
import { SerialPort } from './serial.js';
import type { AudioDriver, CorDriver, InputDriver, PttDriver } from './types.js';
import { VoxCor } from './vox.js';

export type { AudioDriver, CorDriver, InputDriver, PttDriver } from './types.js';

export interface RadioDrivers {
  audio: AudioDriver;
  ptt: PttDriver;
  cor: CorDriver;
  emergency?: InputDriver;
}

/** PTT "none": a receive-only gateway (a scanner feeding the hub) */
class NoPtt implements PttDriver {
  set(): void {}
  stop(): void {}
}

/** the drivers a config names; one serial helper serves PTT and COR on the same port */
export function createDrivers(config: RadioAgentConfig, onError: (message: string) => void): RadioDrivers {
  const audio =
    config.audio.driver === 'alsa'
      ? new AlsaAudio(config.audio.capture, config.audio.playback)
      : config.audio.driver === 'file'
        ? new FileAudio(config.audio.input, config.audio.output)
        : new MemoryAudio();
  const c = config.cor;
  const p = config.ptt;
  const sharedSerial =
    c.driver === 'serial' && p.driver === 'serial' && c.device === p.device
      ? new SerialPort(c.device, c.pin, c.activeLow, onError)
      : undefined;
  const cor: CorDriver =
    c.driver === 'gpio'
      ? new GpioCor(c.gpio)
      : c.driver === 'serial'
        ? (sharedSerial ?? new SerialPort(c.device, c.pin, c.activeLow, onError))
        : c.driver === 'cm108'
          ? new Cm108Cor(c.hidraw, c.pin, c.activeLow)
          : new VoxCor(c.vox);
  const ptt: PttDriver =
    p.driver === 'gpio'
      ? new GpioPtt(p.gpio, onError)
      : p.driver === 'serial'
        ? (sharedSerial ?? new SerialPort(p.device, 'none', false, onError))
        : p.driver === 'cm108'
          ? new Cm108Ptt(p.hidraw, p.pin, p.activeLow, onError)
          : new NoPtt();
  return {
    audio,
    ptt,
    cor,
    emergency: config.emergencyGpio ? new GpioButton(config.emergencyGpio) : undefined,
  };
}

export { MemoryAudio, MemoryCor, MemoryPtt };
