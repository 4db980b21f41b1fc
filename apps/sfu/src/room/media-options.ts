import type * as mediasoup from 'mediasoup';
import type { AppConfig } from '#platform';

/**
 * Every mediasoup option whose shape differs between 3.8 and current 3.x lives here, so an
 * upgrade touches one file. (Current releases also accept `listenInfos` and per-transport
 * port ranges; `listenIps` and the worker's rtcMinPort/rtcMaxPort still work there.)
 */
export const MEDIA_CODECS: mediasoup.types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  // VP8 first: browsers send it, recordings copy it into WebM without transcoding
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 800 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

export function webRtcTransportOptions(config: AppConfig): mediasoup.types.WebRtcTransportOptions {
  const { SFU_LISTEN_IP: ip, SFU_ANNOUNCED_IP: announcedIp } = config.raw;
  return {
    listenIps: [{ ip, ...(announcedIp ? { announcedIp } : {}) }],
    enableUdp: true,
    // TCP lets a township behind a UDP-hostile firewall still connect (TURN covers the rest)
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 600_000,
  };
}

/** The recorder's and the benchmark's local RTP legs. */
export function plainTransportOptions(ip = '127.0.0.1'): mediasoup.types.PlainTransportOptions {
  return { listenIp: { ip }, rtcpMux: false, comedia: false };
}
