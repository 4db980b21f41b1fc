import { levelOfSeverity, severityOfLevel } from './levels.js';

describe('warning level ⇄ CAP severity', () => {
  it('maps red Extreme, orange Severe, yellow Moderate, blue Minor, and back', () => {
    expect(['red', 'orange', 'yellow', 'blue'].map((l) => severityOfLevel(l as 'red'))).toEqual([
      'Extreme',
      'Severe',
      'Moderate',
      'Minor',
    ]);
    for (const level of ['red', 'orange', 'yellow', 'blue'] as const)
      expect(levelOfSeverity(severityOfLevel(level))).toBe(level);
    expect(levelOfSeverity('Unknown')).toBeNull();
  });
});
