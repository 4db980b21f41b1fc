import type { CapSeverity, WarningLevel } from './types.js';

/**
 * red Extreme, orange Severe, yellow Moderate, blue Minor. yellow → Moderate is what a real
 * Chinese alert carries; the other three complete the scale in order.
 */
const SEVERITY: Record<WarningLevel, CapSeverity> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};

export function severityOfLevel(level: WarningLevel): CapSeverity {
  return SEVERITY[level];
}

/** `Unknown` has no level: an imported alert with it needs a reviewer to choose one. */
export function levelOfSeverity(s: CapSeverity): WarningLevel | null {
  switch (s) {
    case 'Extreme':
      return 'red';
    case 'Severe':
      return 'orange';
    case 'Moderate':
      return 'yellow';
    case 'Minor':
      return 'blue';
    case 'Unknown':
      return null;
  }
}
