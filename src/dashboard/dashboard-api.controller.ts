import { Controller, Get, Query } from '@nestjs/common';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser, Role } from '../auth/roles';
import { Clock } from '../clock/clock';
import { DeliveryStore } from '../deliveries/delivery-store.port';
import { ActivityQuery } from './dto/activity-query.dto';
import { ActivityDto, CallerDto } from './dto/dashboard-response.dto';
import { activityView } from './endpoint-activity';

export interface CallerView {
  subject: string;
  roles: Role[];
  /** Null for a platform-wide token. */
  tenants: string[] | null;
  /** What the dashboard may offer: `operate` (acknowledge, approve, maintenance), `controls` (kill switch, dry run). */
  may: { read_autoheal: boolean; operate: boolean; controls: boolean };
}

/** The two small reads the dashboard needs beyond the existing API. */
@Controller('autoheal')
export class DashboardApiController {
  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly clock: Clock,
  ) {}

  /** Who the token is and what it may do; every role may ask. */
  @Roles('admin', 'operator', 'viewer', 'ingest')
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): CallerDto {
    const has = (...roles: Role[]) => roles.some((role) => user.roles.includes(role));
    return {
      subject: user.subject,
      roles: user.roles,
      tenants: user.scope.tenants,
      may: {
        read_autoheal: has('admin', 'operator'),
        operate: has('admin', 'operator'),
        controls: has('admin') && user.scope.isPlatformWide,
      },
    };
  }

  /** Failures against heals per endpoint, over the last `minutes` (the viewer reads deliveries, so it may read this too). */
  @Roles('admin', 'operator', 'viewer')
  @Get('insights/activity')
  async activity(@Query() query: ActivityQuery, @CurrentUser() user: AuthenticatedUser): Promise<ActivityDto> {
    const until = this.clock.now();
    const since = new Date(until.getTime() - query.minutes * 60_000);
    const counts = await this.deliveries.endpointActivity({
      since,
      until,
      bucketSeconds: query.bucket_seconds,
      tenantIds: user.scope.filter(),
    });
    return activityView(counts, since, until, query.bucket_seconds);
  }
}
