import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditAction } from '../audit/audit-action.decorator';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { Coordination } from '../coordination/coordination.port';
import { RulesSource } from '../rules/rules.source';
import { toConfigView } from '../rules/rules.view';
import { AutohealEngine } from './autoheal-engine.service';
import { AutohealHistory } from './autoheal-history.service';
import { HistoryQuery, RunCycleQuery, SetControlsBody } from './dto/autoheal-query.dto';
import { endpointFromPath } from './endpoint-param';
import { ControlsStore } from './state/controls.store';
import { CycleState } from './state/cycle-state';

/** The guide's admin API: run, last, history, cooldown, config; plus the run-time controls. */
@Controller('autoheal')
export class AutohealController {
  constructor(
    private readonly engine: AutohealEngine,
    private readonly history: AutohealHistory,
    private readonly rules: RulesSource,
    private readonly controls: ControlsStore,
    private readonly coordination: Coordination,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Post('run')
  @HttpCode(200)
  @AuditAction('autoheal_run', { resourceType: 'autoheal_cycle' })
  run(@Query() query: RunCycleQuery) {
    return this.engine.runCycle(this.clock.now(), query.dry_run ?? false, 'api');
  }

  @Roles('admin', 'operator')
  @Get('last')
  async last() {
    const result = await this.history.last();
    if (!result) throw new NotFoundError('Healing cycle', '(none has run yet)');
    return result;
  }

  @Roles('admin', 'operator')
  @Get('history')
  historyEntries(@Query() query: HistoryQuery) {
    return this.history.entries(query.limit);
  }

  /** `{endpoint}` may be URL-encoded or raw (`/autoheal/cooldown/https://api.example.com/webhook`). */
  @Roles('admin', 'operator')
  @Delete('cooldown/*endpoint')
  @HttpCode(204)
  @AuditAction('autoheal_cooldown_clear', { resourceType: 'endpoint', resourceIdParam: 'endpoint' })
  async clearCooldown(@Req() req: Request): Promise<void> {
    const endpoint = endpointFromPath(req, '/autoheal/cooldown/');
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
  async config() {
    const rules = this.rules.current();
    const controls = await this.controls.effective(rules.global_safety);
    const view = toConfigView(rules);
    return { ...view, global_safety: { ...view.global_safety, autoheal_enabled: controls.autoheal_enabled, dry_run: controls.dry_run } };
  }

  @Roles('admin', 'operator')
  @Get('controls')
  async getControls() {
    return this.controls.effective(this.rules.current().global_safety);
  }

  /** The kill switch and dry-run mode, at run time: `{"autoheal_enabled": false, "reason": "..."}`. */
  @Roles('admin')
  @Put('controls')
  @AuditAction('autoheal_controls_set', { resourceType: 'autoheal_controls' })
  async setControls(@Body() body: SetControlsBody, @CurrentUser() user: AuthenticatedUser) {
    await this.controls.set(body, user.subject, this.clock.now());
    return this.controls.effective(this.rules.current().global_safety);
  }
}
