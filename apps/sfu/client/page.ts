/**
 * The minimal consultation page at /sfu/client: log in, join by id, see and hear everyone,
 * and (as a moderator) mute, give the floor, remove and run a roll call (点名).
 * zh-CN first, English second. Tests drive the same SfuClient through window.yihuSfu.
 */
import './zod-jitless.js';
import { SfuClient } from '#sfu-client';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => ($('status').textContent = text);
let client: SfuClient | null = null;

async function login(username: string, password: string): Promise<string> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { accessToken?: string; message?: string };
  if (!res.ok || !body.accessToken) throw new Error(body.message ?? `登录失败 login failed (${res.status})`);
  return body.accessToken;
}

function tile(peerId: string): HTMLElement {
  let el = document.getElementById(`peer-${peerId}`);
  if (el) return el;
  el = document.createElement('figure');
  el.id = `peer-${peerId}`;
  const peer = client?.peers.get(peerId);
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  // names are user data (a display name may read `<img onerror=…>`): text, never markup
  const caption = document.createElement('figcaption');
  caption.textContent = `${peer?.siteName ?? ''} · ${peer?.username ?? peerId}`;
  el.append(video, caption);
  if (client?.moderator) {
    for (const [label, fn] of [
      ['静音 Mute', () => client!.mute(peerId, 'audio', true)],
      ['取消静音 Unmute', () => client!.mute(peerId, 'audio', false)],
      ['发言 Give floor', () => client!.giveFloor(peerId)],
      ['移出 Remove', () => client!.remove(peerId)],
    ] as const) {
      const b = document.createElement('button');
      b.textContent = label;
      b.onclick = () => void fn().catch((e: Error) => status(e.message));
      el.append(b);
    }
  }
  $('grid').append(el);
  return el;
}

function showTrack({ peerId, track }: { peerId: string; track: MediaStreamTrack }): void {
  const video = tile(peerId).querySelector('video')!;
  const stream = (video.srcObject as MediaStream | null) ?? new MediaStream();
  stream.addTrack(track);
  video.srcObject = stream;
  video.muted = false;
}

/**
 * The token lives in this module only, never in Web Storage: a reload asks for the password
 * again, and no other page of this origin (the console) finds it there (docs/security.md).
 */
let token: string | null = null;

async function join(): Promise<void> {
  token ??= await login($<HTMLInputElement>('user').value, $<HTMLInputElement>('pass').value);
  $<HTMLInputElement>('pass').value = '';
  try {
    client = await SfuClient.join({
      baseUrl: location.origin,
      token,
      consultationId: $<HTMLInputElement>('cid').value.trim(),
    });
  } catch (err) {
    // an expired or revoked token must not be retried forever: the next Join logs in again
    token = null;
    throw err;
  }
  client.on('track', showTrack);
  // the tracks of those already publishing were consumed during join, before this listener
  for (const remote of client.remote.values()) showTrack(remote);
  client.on('sfu:peer-left', ({ peerId }: { peerId: string }) =>
    document.getElementById(`peer-${peerId}`)?.remove(),
  );
  client.on('sfu:active-speaker', ({ peerId }: { peerId: string | null }) =>
    status(`发言人 speaker: ${peerId ? (client?.peers.get(peerId)?.siteName ?? peerId) : '—'}`),
  );
  client.on('sfu:rollcall', (n: { rollCallId: string; closed?: boolean }) => {
    if (n.closed) return;
    const b = $('answer');
    b.hidden = false;
    b.onclick = () =>
      void client!.answerRollCall(n.rollCallId).then(
        () => (b.hidden = true),
        (e: Error) => status(e.message),
      );
  });
  client.on('sfu:room-closed', ({ reason }: { reason: string }) =>
    status(`会商已结束 room closed: ${reason}`),
  );
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 640, height: 360 },
  });
  $<HTMLVideoElement>('self').srcObject = stream;
  await client.publish(stream);
  $('moderator').hidden = !client.moderator;
  status(`已加入 joined (${client.moderator ? '主持人 moderator' : '参会 participant'})`);
}

$('join').onclick = () => void join().catch((e: Error) => status(e.message));
$('rollcall').onclick = () =>
  void client?.startRollCall().then(
    (r) => status(`点名 roll call ${r.rollCallId}`),
    (e: Error) => status(e.message),
  );
$<HTMLInputElement>('cid').value = new URLSearchParams(location.search).get('id') ?? '';

(window as unknown as { yihuSfu: unknown }).yihuSfu = { SfuClient };
