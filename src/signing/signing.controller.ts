import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Put, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { ReencryptResultDto, SigningSettingsDto, SigningSettingsListDto } from './dto/signing-response.dto';
import { PutSigningBody, SigningQuery } from './dto/signing.dto';
import { EndpointSigning } from './endpoint-signing.service';
import type { SigningSettingsView } from './signing-settings-store.port';

export interface SigningSettingsList {
  settings: SigningSettingsView[];
}

/** How replays to an endpoint are re-signed. The audit trail records every change, its secret redacted. */
@Controller('autoheal/endpoints/signing')
export class SigningController {
  constructor(private readonly signing: EndpointSigning) {}

  @Roles('admin')
  @Put()
  @AuditAction('endpoint_signing_set', { resourceType: 'endpoint_signing' })
  put(@Body() body: PutSigningBody, @CurrentUser() user: AuthenticatedUser): Promise<SigningSettingsDto> {
    return this.signing.put(body, user.scope, user.subject);
  }

  @Roles('admin', 'operator')
  @Get()
  async list(@Query() query: SigningQuery, @CallerScope() scope: TenantScope): Promise<SigningSettingsListDto> {
    return { settings: await this.signing.list(query, scope) };
  }

  @Roles('admin')
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @AuditAction('endpoint_signing_delete', { resourceType: 'endpoint_signing' })
  @ApiErrors(404)
  async delete(@Query() query: SigningQuery, @CallerScope() scope: TenantScope): Promise<void> {
    await this.signing.delete(query.tenant_id, query.endpoint, scope);
  }

  /** After a new key is put first in SIGNING_KEYS: moves every secret under it, so the old key can be removed. */
  @Roles('admin')
  @Post('reencrypt')
  @HttpCode(HttpStatus.OK)
  @AuditAction('endpoint_signing_reencrypt', { resourceType: 'endpoint_signing' })
  reencrypt(@CallerScope() scope: TenantScope): Promise<ReencryptResultDto> {
    return this.signing.reencrypt(scope);
  }
}
