import { describe, expect, it } from '@jest/globals';
import { ffmpegArgs, recordingSdp } from './sdp.js';

const opus = {
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
    },
  ],
  encodings: [],
};
const vp8 = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [] };

describe('recording SDP and ffmpeg arguments', () => {
  it('describes each stream on its own port, RTCP on the next', () => {
    const sdp = recordingSdp([
      { kind: 'audio', port: 5000, rtpParameters: opus as never },
      { kind: 'video', port: 5002, rtpParameters: vp8 as never },
    ]);
    expect(sdp).toContain(
      'm=audio 5000 RTP/AVP 100\r\na=rtcp:5001\r\na=rtpmap:100 opus/48000/2\r\na=fmtp:100 useinbandfec=1',
    );
    expect(sdp).toContain('m=video 5002 RTP/AVP 101\r\na=rtcp:5003\r\na=rtpmap:101 VP8/90000\r\n');
  });

  it('copies a single voice, mixes several, and copies the video', () => {
    expect(ffmpegArgs(1, false, 'a.webm').join(' ')).toContain('-map 0:a:0 -c:a copy -y a.webm');
    expect(ffmpegArgs(1, false, 'a.webm').join(' ')).toContain('-analyzeduration 1000000 -f sdp -i pipe:0');
    const mixed = ffmpegArgs(3, true, 'b.webm').join(' ');
    expect(mixed).toContain('[0:a:0][0:a:1][0:a:2]amix=inputs=3');
    expect(mixed).toContain('-map [mix] -c:a libopus');
    expect(mixed).toContain('-map 0:v:0 -c:v copy');
  });
});
