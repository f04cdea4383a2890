import { CallHandler, ExecutionContext, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { firstValueFrom, of, throwError } from 'rxjs';
import { Public } from '../auth/auth.decorators';
import { TenantScope } from '../auth/tenant-scope';
import { ManualClock } from '../clock/clock';
import { AuditAction } from './audit-action.decorator';
import { AuditInterceptor } from './audit.interceptor';
import { AuditEntry, AuditLog, AuditRecord } from './audit-log.port';
import { MemoryAuditLog } from './memory-audit-log.adapter';

class SampleController {
  @AuditAction('autoheal_cooldown_clear', { resourceType: 'cooldown', resourceIdParam: 'endpoint' })
  clear() {}
  plain() {}
  @Public()
  open() {}
}

function contextFor(handler: () => void, req: Record<string, unknown>): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => SampleController,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

const request = (method: string, extra: Record<string, unknown> = {}) => ({
  method,
  baseUrl: '',
  route: { path: '/autoheal/cooldowns/:endpoint' },
  params: { endpoint: 'https://a.example/hook' },
  query: { dry_run: 'true' },
  body: { tenant_id: 't1', deliveries: [1, 2, 3] },
  user: { subject: 'alice', roles: ['operator'] },
  originalUrl: '/x',
  ...extra,
});

const answering = (value: unknown): CallHandler => ({ handle: () => of(value) });

describe('AuditInterceptor', () => {
  let audit: MemoryAuditLog;
  let interceptor: AuditInterceptor;
  const all = () => audit.query({ limit: 100 });

  beforeEach(() => {
    audit = new MemoryAuditLog(new ManualClock(new Date('2025-01-01T00:00:00Z')));
    interceptor = new AuditInterceptor(new Reflector(), audit);
  });

  it('records a declared action under the token subject, with route, params, query and a body summary', async () => {
    const result = await firstValueFrom(
      interceptor.intercept(contextFor(SampleController.prototype.clear, request('POST')), answering({ ok: true })),
    );
    expect(result).toEqual({ ok: true });
    const [entry] = await all();
    expect(entry).toMatchObject<Partial<AuditEntry>>({
      operator_id: 'alice',
      action: 'autoheal_cooldown_clear',
      resource_type: 'cooldown',
      resource_id: 'https://a.example/hook',
      tenant_id: 't1',
      at: new Date('2025-01-01T00:00:00Z'),
    });
    expect(entry.meta).toMatchObject({
      method: 'POST',
      route: '/autoheal/cooldowns/:endpoint',
      params: { endpoint: 'https://a.example/hook' },
      query: { dry_run: 'true' },
      body: { tenant_id: 't1', deliveries: { length: 3 } },
    });
  });

  it('falls back to http_<method> with the route when the handler declares nothing', async () => {
    await firstValueFrom(
      interceptor.intercept(contextFor(SampleController.prototype.plain, request('DELETE', { body: undefined })), answering(undefined)),
    );
    const [entry] = await all();
    expect(entry).toMatchObject({
      action: 'http_delete',
      resource_type: 'route',
      resource_id: 'DELETE /autoheal/cooldowns/:endpoint',
      tenant_id: null,
    });
    expect(entry.meta.route).toBe('/autoheal/cooldowns/:endpoint');
  });

  it('names the tenant of a token scoped to one tenant when neither the request nor the result names one', async () => {
    const call = (scope: TenantScope, body: unknown) =>
      firstValueFrom(
        interceptor.intercept(
          contextFor(SampleController.prototype.clear, request('DELETE', { body, user: { subject: 'bob', roles: ['operator'], scope } })),
          answering(undefined),
        ),
      );
    await call(TenantScope.of(['t4']), {});
    await call(TenantScope.of(['t4', 't5']), {});
    await call(TenantScope.PLATFORM, {});
    await call(TenantScope.of(['t4']), { tenant_id: 't4-named' });
    expect((await all()).map((entry) => entry.tenant_id)).toEqual(['t4-named', null, null, 't4']);
  });

  it('takes the tenant from the returned resource when the request does not name one', async () => {
    await firstValueFrom(
      interceptor.intercept(contextFor(SampleController.prototype.plain, request('PATCH', { body: {} })), answering({ tenant_id: 't9' })),
    );
    expect((await all())[0].tenant_id).toBe('t9');
  });

  it('does not record reads, public routes or failed handlers', async () => {
    await firstValueFrom(interceptor.intercept(contextFor(SampleController.prototype.plain, request('GET')), answering([])));
    await firstValueFrom(interceptor.intercept(contextFor(SampleController.prototype.open, request('POST')), answering({})));
    const failing: CallHandler = { handle: () => throwError(() => new Error('boom')) };
    await expect(
      firstValueFrom(interceptor.intercept(contextFor(SampleController.prototype.plain, request('POST')), failing)),
    ).rejects.toThrow('boom');
    expect(await all()).toEqual([]);
  });

  it('keeps the handler result when the audit write fails, and logs it as an error', async () => {
    class BrokenAuditLog extends AuditLog {
      async record(_: AuditRecord): Promise<void> {
        throw new Error('database is down');
      }
      async query(): Promise<AuditEntry[]> {
        return [];
      }
      async ofCycle(): Promise<AuditEntry[]> {
        return [];
      }
    }
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const broken = new AuditInterceptor(new Reflector(), new BrokenAuditLog());
      const result = await firstValueFrom(
        broken.intercept(contextFor(SampleController.prototype.clear, request('POST')), answering({ done: 1 })),
      );
      expect(result).toEqual({ done: 1 });
      expect(logged).toHaveBeenCalledWith(
        expect.stringMatching(/AUDIT WRITE FAILED: autoheal_cooldown_clear by alice .*database is down/),
        expect.any(String),
      );
    } finally {
      logged.mockRestore();
    }
  });
});
