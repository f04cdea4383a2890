import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { CurrentUser, Public, Roles } from '../../src/auth/auth.decorators';
import type { AuthenticatedUser } from '../../src/auth/roles';

class ProbeBody {
  @IsString()
  name: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  count: number;
}

class ProbeQuery {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit: number;
}

/** Routes that exist only in tests, to exercise the cross-cutting guards, pipes and filters. */
@Controller('__probe')
export class ProbeController {
  @Roles('admin')
  @Get('admin')
  admin(@CurrentUser() user: AuthenticatedUser) {
    return { subject: user.subject, roles: user.roles };
  }

  @Roles('admin', 'operator', 'viewer')
  @Get('read')
  read() {
    return { ok: true };
  }

  @Get('no-roles')
  noRoles() {
    return { ok: true };
  }

  @Public()
  @Get('public')
  open() {
    return { ok: true };
  }

  @Roles('admin')
  @Post('validate')
  validate(@Body() body: ProbeBody, @Query() query: ProbeQuery) {
    return { body, query };
  }

  @Roles('admin')
  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }
}
