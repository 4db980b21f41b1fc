/**
 * The radio's edges. An agent has one audio driver (what the receiver hears in, what the
 * transmitter says out), one PTT driver and one COR (carrier detect) driver, chosen by
 * config; the memory drivers stand in for all three in the simulator.
 */

/** 8 kHz mono 16-bit PCM from the radio's receiver, and to its transmitter */
export interface AudioDriver {
  /** starts capturing; chunks may be any size */
  start(onCapture: (pcm: Int16Array) => void, onError: (message: string) => void): void;
  /** queues PCM to the transmitter's audio input (the device plays it out in real time) */
  play(pcm: Int16Array): void;
  stop(): void;
}

export interface PttDriver {
  /** assert or release the transmitter; must be safe to call repeatedly */
  set(on: boolean): void;
  stop(): void;
}

export interface CorDriver {
  start(onCor: (up: boolean) => void, onError: (message: string) => void): void;
  /** VOX only: the received audio the carrier is derived from, in 20 ms frames */
  audio?(frame: Int16Array): void;
  stop(): void;
}

/** an emergency button or line: calls back on each press */
export interface InputDriver {
  start(onPress: () => void, onError: (message: string) => void): void;
  stop(): void;
}
