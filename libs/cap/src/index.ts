export type {
  AtomEntry,
  AtomFeed,
  CapAlert,
  CapArea,
  CapError,
  CapInfo,
  CapMsgType,
  CapReference,
  CapResource,
  CapScope,
  CapSeverity,
  CapStatus,
  CapValidation,
  CapValuePair,
  WarningLevel,
} from './types.js';
export { levelOfSeverity, severityOfLevel } from './levels.js';
export { capIdentifier, parseCapIdentifier } from './identifier.js';
export { formatCapTime, parseCapTime } from './time.js';
export { escapeXml } from './escape.js';
export { buildCapXml, CAP12_NS, formatReferences } from './build.js';
export { CapValidatorBusyError, MAX_CAP_BYTES, validateCap } from './validate.js';
export { parseCap, parseReferences } from './parse.js';
export { polygonProblem } from './rules.js';
export { buildAtomFeed } from './atom.js';
