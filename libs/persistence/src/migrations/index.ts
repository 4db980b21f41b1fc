import { Foundation1795000000000 } from './1795000000000-foundation.js';
import { Directives1795000100000 } from './1795000100000-directives.js';
import { DirectiveExpiry1795000110000 } from './1795000110000-directive-expiry.js';
import { Terminals1795000200000 } from './1795000200000-terminals.js';
import { TerminalMessageSource1795000210000 } from './1795000210000-terminal-message-source.js';
import { Consultations1795000300000 } from './1795000300000-consultations.js';
import { AuditNoTruncate1795000400000 } from './1795000400000-audit-no-truncate.js';
import { TerminalMessageLean1795000500000 } from './1795000500000-terminal-message-lean.js';
import { TerminalMessageNoFk1795000600000 } from './1795000600000-terminal-message-no-fk.js';
import { TerminalReplayClaim1795000700000 } from './1795000700000-terminal-replay-claim.js';
import { PresenceOwner1795001000000 } from './1795001000000-presence-owner.js';
import { AckPressTime1795001100000 } from './1795001100000-ack-press-time.js';
import { AuditKeyed1795001600000 } from './1795001600000-audit-keyed.js';
import { UserPhone1795002600000 } from './1795002600000-user-phone.js';
import { Radio1795003000000 } from './1795003000000-radio.js';
import { RadioBroadcasts1795003100000 } from './1795003100000-radio-broadcasts.js';
import { SiteMapPhone1795003300000 } from './1795003300000-site-map-phone.js';
import { DutyRoster1795003400000 } from './1795003400000-duty-roster.js';
import { SpotChecks1795003500000 } from './1795003500000-spot-checks.js';
import { Reporting1795003600000 } from './1795003600000-reporting.js';
import { DailyReports1795003700000 } from './1795003700000-daily-reports.js';
import { Warnings1795003800000 } from './1795003800000-warnings.js';
import { Drills1795003900000 } from './1795003900000-drills.js';
import { Teams1795004000000 } from './1795004000000-teams.js';
import { Plans1795004200000 } from './1795004200000-plans.js';
import { WarningIdentifierPrune1795004300000 } from './1795004300000-warning-identifier-prune.js';
import { RecipientAckDeadline1795005100000 } from './1795005100000-recipient-ack-deadline.js';
import { StockExperts1795004100000 } from './1795004100000-stock-experts.js';
import { DailyReportDrills1795005000000 } from './1795005000000-daily-report-drills.js';

/** Every migration, in order. Listed by class (not by glob) so the ESM build needs no loader tricks. */
export const MIGRATIONS = [
  Foundation1795000000000,
  Directives1795000100000,
  DirectiveExpiry1795000110000,
  Terminals1795000200000,
  TerminalMessageSource1795000210000,
  Consultations1795000300000,
  AuditNoTruncate1795000400000,
  TerminalMessageLean1795000500000,
  TerminalMessageNoFk1795000600000,
  TerminalReplayClaim1795000700000,
  PresenceOwner1795001000000,
  AckPressTime1795001100000,
  AuditKeyed1795001600000,
  UserPhone1795002600000,
  Radio1795003000000,
  RadioBroadcasts1795003100000,
  SiteMapPhone1795003300000,
  DutyRoster1795003400000,
  SpotChecks1795003500000,
  Reporting1795003600000,
  DailyReports1795003700000,
  Warnings1795003800000,
  Drills1795003900000,
  Teams1795004000000,
  StockExperts1795004100000,
  Plans1795004200000,
  WarningIdentifierPrune1795004300000,
  DailyReportDrills1795005000000,
  RecipientAckDeadline1795005100000,
];
