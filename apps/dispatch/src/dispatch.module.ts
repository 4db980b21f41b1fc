import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SiteEntity, UserEntity } from '#persistence';
import { PlatformModule, type Runtime } from '#platform';
import { TerminalsModule } from '#terminals';
import { AuditController } from './audit/audit.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthAudit } from './auth/auth-audit.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { ConsoleModule } from './console/console.module.js';
import { DirectivesModule } from './directives/directives.module.js';
import { DrillsModule } from './drills/drills.module.js';
import { ExpertsModule } from './resources/experts/experts.module.js';
import { StockModule } from './resources/stock/stock.module.js';
import { PlansModule } from './plans/plans.module.js';
import { SpotChecksModule } from './duty/spot-checks/spot-checks.module.js';
import { CapModule } from './warnings/cap/cap.module.js';
import { DutyModule } from './duty/duty.module.js';
import { ReportingModule } from './reporting/reporting.module.js';
import { TeamsModule } from './resources/teams/teams.module.js';
import { DailyReportsModule } from './reporting/daily/daily-reports.module.js';
import { SitesController } from './sites/sites.controller.js';
import { SitesService } from './sites/sites.service.js';
import { AdminBootstrapService } from './users/admin-bootstrap.service.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';
import { WarningsModule } from './warnings/warnings.module.js';

/** The dispatch service: people, sites and (from the directives issue) the closed loop. */
@Module({
  imports: [
    TypeOrmModule.forFeature([SiteEntity, UserEntity]),
    DirectivesModule,
    DutyModule,
    SpotChecksModule,
    ConsoleModule,
    CapModule,
    ReportingModule,
    DailyReportsModule,
    WarningsModule,
    DrillsModule,
    TeamsModule,
    StockModule,
    ExpertsModule,
    PlansModule,
  ],
  controllers: [AuthController, SitesController, UsersController, AuditController],
  providers: [AuthService, AuthAudit, LoginThrottle, SitesService, UsersService, AdminBootstrapService],
  exports: [SitesService, UsersService, DirectivesModule],
})
export class DispatchModule {}

/** Root module when dispatch runs as its own process. */
@Module({})
export class DispatchAppModule {}

export function dispatchApp(runtime: Runtime): DynamicModule {
  return {
    module: DispatchAppModule,
    imports: [PlatformModule.forRoot(runtime), DispatchModule, TerminalsModule],
  };
}
