import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { NotFoundError } from '../common/domain-error';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { CreatedRecoveryDto, RecoveryDto, RecoveryListDto, RecoveryPlanDto } from './dto/recovery-response.dto';
import { CreateRecoveryBody, ListRecoveriesQuery } from './dto/recoveries.dto';
import { RecoveriesService } from './recoveries.service';

const RecoveryId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id: must be a UUID') }));

/** Bulk re-send of a tenant's failed deliveries (Svix `recover`, Convoy batch retry), through the drain machinery. */
@Controller('autoheal/recoveries')
export class RecoveriesController {
  constructor(private readonly recoveries: RecoveriesService) {}

  /** `dry_run: true` answers the plan (200) and sends nothing; otherwise 202 with the queued recovery. */
  @Roles('admin', 'operator')
  @AuditAction('recovery_create', { resourceType: 'recovery' })
  @Post()
  @ApiOkResponse({ type: RecoveryPlanDto, description: 'dry_run: true — the plan; nothing is sent or stored' })
  @ApiAcceptedResponse({ type: CreatedRecoveryDto, description: 'The recovery, queued' })
  @ApiErrors(409)
  async create(
    @Body() body: CreateRecoveryBody,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RecoveryPlanDto | CreatedRecoveryDto> {
    user.scope.assert(body.tenant_id);
    if (body.dry_run) {
      res.status(HttpStatus.OK);
      return this.recoveries.plan(body);
    }
    res.status(HttpStatus.ACCEPTED);
    return this.recoveries.create(body, user.subject);
  }

  @Roles('admin', 'operator')
  @Get()
  async list(@Query() query: ListRecoveriesQuery, @CallerScope() scope: TenantScope): Promise<RecoveryListDto> {
    return { recoveries: await this.recoveries.list(query, scope.filter()) };
  }

  @Roles('admin', 'operator')
  @Get(':id')
  @ApiErrors(404)
  async get(@RecoveryId() id: string, @CallerScope() scope: TenantScope): Promise<RecoveryDto> {
    const recovery = scope.visible(await this.recoveries.get(id));
    if (!recovery) throw new NotFoundError('Recovery', id);
    return recovery;
  }

  @Roles('admin', 'operator')
  @AuditAction('recovery_cancel', { resourceType: 'recovery', resourceIdParam: 'id' })
  @Delete(':id')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  async cancel(@RecoveryId() id: string, @CurrentUser() user: AuthenticatedUser): Promise<RecoveryDto> {
    await user.scope.assertSees('Recovery', id, () => this.recoveries.get(id).catch(() => null));
    return this.recoveries.cancel(id, user.subject);
  }
}
