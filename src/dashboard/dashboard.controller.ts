import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ApiErrors } from '../openapi/api-responses.decorator';

/** Copied next to the compiled controller by nest-cli.json's `assets`; read from src/ under jest. */
export const DASHBOARD_STATIC_DIR = join(__dirname, 'static');

/** Only the page's own files: no CDN, no inline script, so the policy can forbid everything else. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The operator's dashboard: static files, public (the page holds no data; every figure on it comes from the API
 * with the token the user pastes, kept in sessionStorage).
 */
@Controller('dashboard')
export class DashboardController {
  private readonly cache = new Map<string, string>();

  @Public()
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The dashboard page (it loads only dashboard.js and dashboard.css)', schema: { type: 'string' } })
  @ApiErrors(404)
  page(): string {
    return this.file('index.html');
  }

  @Public()
  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiProduces('text/javascript')
  @ApiOkResponse({ description: "The dashboard's script", schema: { type: 'string' } })
  @ApiErrors(404)
  script(): string {
    return this.file('dashboard.js');
  }

  @Public()
  @Get('dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiProduces('text/css')
  @ApiOkResponse({ description: "The dashboard's style sheet", schema: { type: 'string' } })
  @ApiErrors(404)
  style(): string {
    return this.file('dashboard.css');
  }

  private file(name: string): string {
    let text = this.cache.get(name);
    if (text === undefined) {
      try {
        text = readFileSync(join(DASHBOARD_STATIC_DIR, name), 'utf8');
      } catch {
        throw new NotFoundException(`dashboard/${name} is missing from this build (${DASHBOARD_STATIC_DIR})`);
      }
      this.cache.set(name, text);
    }
    return text;
  }
}
