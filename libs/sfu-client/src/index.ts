export { CAMERA_ENCODINGS, SfuClient, type ReceiveStats, type RemoteTrack } from './sfu-client.js';
export { RadioClient } from './radio-client.js';
