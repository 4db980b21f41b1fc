/**
 * CAP 1.2 (OASIS Common Alerting Protocol) as the hub reads and writes it. Times are `Date`
 * (instants); the XML form always carries Beijing time with `+08:00` (see time.ts).
 * Optional fields beyond the list (circles, altitude, eventCodes, …) are kept so an
 * imported alert survives a parse → build round trip.
 */
export type CapStatus = 'Actual' | 'Exercise' | 'System' | 'Test' | 'Draft';
export type CapMsgType = 'Alert' | 'Update' | 'Cancel' | 'Ack' | 'Error';
export type CapScope = 'Public' | 'Restricted' | 'Private';
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown';
/** 突发事件应对法 art. 42: 一级 red (highest) … 四级 blue. */
export type WarningLevel = 'red' | 'orange' | 'yellow' | 'blue';

export interface CapValuePair {
  valueName: string;
  value: string;
}

/** One earlier message: written as `sender,identifier,sent` in `<references>`. */
export interface CapReference {
  sender: string;
  identifier: string;
  sent: Date;
}

export interface CapArea {
  areaDesc: string;
  /** Each "lat,lon lat,lon …", first point equal to the last, ≥ 4 points. */
  polygons: string[];
  geocodes: CapValuePair[];
  /** "lat,lon radiusKm". */
  circles?: string[];
  altitude?: number;
  ceiling?: number;
}

export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  digest?: string;
}

export interface CapInfo {
  /** 'zh-CN' | 'en-US' … */
  language: string;
  /** CAP categories, e.g. ['Met'], ['Geo'], ['Safety']. */
  category: string[];
  event: string;
  urgency: string;
  severity: CapSeverity;
  certainty: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  onset?: Date;
  expires?: Date;
  web?: string;
  contact?: string;
  parameters: CapValuePair[];
  areas: CapArea[];
  responseType?: string[];
  audience?: string;
  eventCodes?: CapValuePair[];
  effective?: Date;
  resources?: CapResource[];
}

export interface CapAlert {
  identifier: string;
  sender: string;
  sent: Date;
  status: CapStatus;
  msgType: CapMsgType;
  scope: CapScope;
  source?: string;
  note?: string;
  references: CapReference[];
  incidents?: string;
  info: CapInfo[];
  restriction?: string;
  addresses?: string;
  code?: string[];
}

export interface CapError {
  message: string;
  line?: number;
}

export interface CapValidation {
  valid: boolean;
  version: '1.2' | '1.1' | '1.0' | null;
  errors: CapError[];
}

export interface AtomEntry {
  id: string;
  title: string;
  updated: Date;
  summary: string;
  capUrl: string;
  level?: WarningLevel;
}

export interface AtomFeed {
  id: string;
  title: string;
  updated: Date;
  selfUrl: string;
  entries: AtomEntry[];
}
