import { Controller, Delete, Get, HttpCode, HttpStatus, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiParam, getSchemaPath } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, Roles } from '../auth/auth.decorators';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { DomainError } from '../common/domain-error';
import { endpointFromPath } from '../common/endpoint-param';
import { ControlsStore } from '../controls/controls-store.port';
import { Coordination } from '../coordination/coordination.port';
import { EndpointOwnership } from '../deliveries/endpoint-ownership.service';
import { ApiErrors, CONFIG_SCHEMA_NAME } from '../openapi/api-responses.decorator';
import { RulesSource } from '../rules/rules.source';
import { toConfigView } from '../rules/rules.view';
import { AutohealEngine } from './autoheal-engine.service';
import { CycleState } from './cycle-state';
import { CycleResultDto } from './dto/cycle-result-response.dto';
import { RunCycleQuery } from './dto/run-cycle.dto';

/** The guide's admin API: run, cooldown, config (last and history: cycle-history; controls: controls). */
@Controller('autoheal')
export class AutohealController {
  constructor(
    private readonly engine: AutohealEngine,
    private readonly rules: RulesSource,
    private readonly controls: ControlsStore,
    private readonly coordination: Coordination,
    private readonly clock: Clock,
    private readonly ownership: EndpointOwnership,
  ) {}

  @Roles('admin', 'operator')
  @Post('run')
  @HttpCode(200)
  @AuditAction('autoheal_run', { resourceType: 'autoheal_cycle' })
  @ApiErrors(409)
  run(@Query() query: RunCycleQuery, @CallerScope() scope: TenantScope): Promise<CycleResultDto> {
    scope.assertPlatformWide(
      'POST /autoheal/run is platform-wide: a cycle heals every tenant under one lock and one replay budget (the scheduler runs it); ' +
        "see your tenants' part in GET /autoheal/last, /autoheal/history and /anomalies/current",
    );
    return this.engine.runCycle(this.clock.now(), query.dry_run ?? false, 'api');
  }

  /** `{endpoint}` may be URL-encoded or raw (`/autoheal/cooldown/https://api.example.com/webhook`). */
  @Roles('admin', 'operator')
  @Delete('cooldown/*endpoint')
  @HttpCode(204)
  @AuditAction('autoheal_cooldown_clear', { resourceType: 'endpoint', resourceIdParam: 'endpoint' })
  @ApiParam({ name: 'endpoint', description: 'The webhook URL, URL-encoded or raw' })
  async clearCooldown(@Req() req: Request, @CallerScope() scope: TenantScope): Promise<void> {
    const endpoint = endpointFromPath(req, '/autoheal/cooldown/');
    await this.ownership.assert(scope, endpoint, 'clearing the cooldown of');
    try {
      await CycleState.clearCooldown(this.coordination, endpoint);
    } catch (error) {
      throw new DomainError(
        'coordination_unavailable',
        `Coordination store unreachable, cooldown not cleared: ${error instanceof Error ? error.message : String(error)}`,
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
  }

  @Roles('admin', 'operator')
  @Get('config')
  @ApiOkResponse({ schema: { $ref: getSchemaPath(CONFIG_SCHEMA_NAME) } })
  async config() {
    const rules = this.rules.current();
    const controls = await this.controls.effective(rules.global_safety);
    const view = toConfigView(rules);
    return { ...view, global_safety: { ...view.global_safety, autoheal_enabled: controls.autoheal_enabled, dry_run: controls.dry_run } };
  }
}
