import { Controller, Get, Query } from '@nestjs/common';
import { CallerScope, Roles } from '../auth/auth.decorators';
import type { TenantScope } from '../auth/tenant-scope';
import { NotFoundError } from '../common/domain-error';
import { endpointKey } from '../common/endpoint-key';
import { HistoryEntryDto, RecordedCycleDto } from '../engine/dto/cycle-result-response.dto';
import { CycleResult, totalsOf } from '../engine/cycle-result';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { CycleHistoryStore } from './cycle-history-store.port';
import { HistoryQuery } from './dto/history-query.dto';

@Controller('autoheal')
export class CycleHistoryController {
  constructor(private readonly history: CycleHistoryStore) {}

  /** For a scoped token: the last cycle with only its tenants' actions. */
  @Roles('admin', 'operator')
  @Get('last')
  @ApiErrors(404)
  async last(@CallerScope() scope: TenantScope): Promise<RecordedCycleDto> {
    const result = await this.history.last();
    if (!result) throw new NotFoundError('Healing cycle', '(none has run yet)');
    return scope.isPlatformWide ? result : scopedResult(result, scope);
  }

  /** For a scoped token: its tenants' actions, and the lines of cycles that found nothing. */
  @Roles('admin', 'operator')
  @Get('history')
  async historyEntries(@Query() query: HistoryQuery, @CallerScope() scope: TenantScope): Promise<HistoryEntryDto[]> {
    const entries = await this.history.entries(query.limit);
    return entries.filter((entry) => entry.incident === null || scope.allows(entry.incident.tenant_id));
  }
}

function scopedResult(result: CycleResult, scope: TenantScope): CycleResult {
  const tenantOf = (action: { incident: { tenant_id: string } }) => action.incident.tenant_id;
  const taken = scope.only(result.actions_taken, tenantOf);
  const skipped = scope.only(result.actions_skipped, tenantOf);
  const incidents = new Set([...taken, ...skipped].map((a) => endpointKey(a.incident.tenant_id, a.incident.endpoint)));
  return { ...result, incidents_detected: incidents.size, actions_taken: taken, actions_skipped: skipped, ...totalsOf(taken) };
}
