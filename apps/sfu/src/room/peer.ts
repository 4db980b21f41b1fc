import type * as mediasoup from 'mediasoup';
import type { MediaSource, SfuPeerView } from '#contracts';

export interface ProducerEntry {
  producer: mediasoup.types.Producer;
  peerId: string;
  source: MediaSource;
  /** paused by a moderator: only a moderator resumes it */
  byModerator: boolean;
}

/** One participant's media state inside a room. The socket id is the peer id. */
export class Peer {
  readonly transports = new Map<string, mediasoup.types.WebRtcTransport>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, mediasoup.types.Consumer>();
  /** kinds a moderator muted: new producers of that kind start paused */
  readonly mutedKinds = new Set<'audio' | 'video'>();
  /** gone (left, removed, disconnected): media the worker finishes creating for it is closed at once */
  closed = false;

  constructor(
    readonly view: SfuPeerView,
    readonly router: mediasoup.types.Router,
  ) {}

  get id(): string {
    return this.view.peerId;
  }

  transport(id: string): mediasoup.types.WebRtcTransport | undefined {
    return this.transports.get(id);
  }

  /** Closing the transports closes every producer and consumer on them. */
  close(): void {
    this.closed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
