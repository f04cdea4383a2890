import { Body, Controller, Get, Put } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import { Clock } from '../clock/clock';
import { RulesSource } from '../rules/rules.source';
import { ControlsStore } from './controls-store.port';
import { EffectiveControlsDto } from './dto/controls-response.dto';
import { SetControlsBody } from './dto/set-controls.dto';

@Controller('autoheal/controls')
export class ControlsController {
  constructor(
    private readonly controls: ControlsStore,
    private readonly rules: RulesSource,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async getControls(): Promise<EffectiveControlsDto> {
    return this.controls.effective(this.rules.current().global_safety);
  }

  /** `{"autoheal_enabled": false, "reason": "..."}` */
  @Roles('admin')
  @Put()
  @AuditAction('autoheal_controls_set', { resourceType: 'autoheal_controls' })
  async setControls(@Body() body: SetControlsBody, @CurrentUser() user: AuthenticatedUser): Promise<EffectiveControlsDto> {
    user.scope.assertPlatformWide(
      'PUT /autoheal/controls is platform-wide: the kill switch and dry-run mode stop or start healing for every tenant',
    );
    await this.controls.set(body, user.subject, this.clock.now());
    return this.controls.effective(this.rules.current().global_safety);
  }
}
