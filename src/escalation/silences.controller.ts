import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { NotFoundError } from '../common/domain-error';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { ListSilencesQuery } from './dto/list-silences.query';
import { SilenceListDto } from './dto/silence-response.dto';
import { isActive, Silence, SilenceStore } from './silence-store.port';

export interface SilenceView extends Silence {
  status: 'active' | 'expired';
}

export interface SilenceList {
  silences: SilenceView[];
}

const view = (silence: Silence, now: Date): SilenceView => ({ ...silence, status: isActive(silence, now) ? 'active' : 'expired' });

/** Like Alertmanager's silences: listed with their state, ended early by DELETE (the row stays, expired). */
@Controller('autoheal/silences')
export class SilencesController {
  constructor(
    private readonly silences: SilenceStore,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async list(@Query() query: ListSilencesQuery, @CallerScope() scope: TenantScope): Promise<SilenceListDto> {
    const now = this.clock.now();
    const silences = await this.silences.list({ now, status: query.status, tenants: scope.filter(), limit: query.limit });
    return { silences: silences.map((s) => view(s, now)) };
  }

  @Roles('admin', 'operator')
  @Delete(':id')
  @HttpCode(204)
  @AuditAction('autoheal_silence_expire', { resourceType: 'silence', resourceIdParam: 'id' })
  @ApiErrors(404)
  async expire(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    await user.scope.assertSees('Silence', id, () => this.silences.get(id));
    if (!(await this.silences.expire(id, user.subject, this.clock.now()))) throw new NotFoundError('Active silence', id);
  }
}
