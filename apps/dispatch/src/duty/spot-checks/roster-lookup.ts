/**
 * Whether a user was on the site's duty roster at a moment: true, false, or null when
 * nothing can say (no roster kept for that hour). Spot checks record the answer as given
 * and the roster's verdict beside it (`onRoster`). Bound to `DutyRoster.onRoster` in
 * SpotChecksModule; an abstract class so the spot-check code reads no roster tables itself.
 */
export abstract class RosterLookup {
  abstract onRoster(siteId: string, userId: string, at: Date): Promise<boolean | null>;
  /** The same for many answers in one query (a batch of 1,000 answers is not 1,000 queries). */
  abstract onRosterMany(asks: RosterAsk[]): Promise<(boolean | null)[]>;
}

export interface RosterAsk {
  siteId: string;
  userId: string;
  at: Date;
}
