export { alawDecode, alawEncode } from './alaw.js';
export { buildRtp, parseRtp, RtpSender, type RtpPacket } from './rtp.js';
export {
  alawFrames,
  alertTone,
  concat,
  FRAME_SAMPLES,
  frames,
  rmsDbfs,
  SAMPLE_RATE,
  silence,
  sine,
  type AlertLevel,
} from './tones.js';
export { blockPower, goertzelPower, ToneDetector } from './goertzel.js';
export { DtmfDetector, dtmfTone } from './dtmf.js';
export { readWav, WavWriter, wavHeader, type WavFormat } from './wav.js';
export { JitterBuffer } from './jitter-buffer.js';
export {
  EMPTY_FLOOR,
  expireHang,
  rankValue,
  releaseFloor,
  requestFloor,
  timedOut,
  type FloorDecision,
  type FloorHolder,
  type FloorState,
} from './floor.js';
export { dtmfCodeForSerial, normalizeDtmfCode } from './dtmf-code.js';
export { OggOpusWriter, oggCrc, oggOpusExtent, oggPage, opusPacketSamples } from './ogg-opus.js';
