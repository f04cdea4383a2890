import { NotFoundError } from '../common/domain-error';
import { scopeFromClaim, TenantForbiddenError, TenantScope } from './tenant-scope';

describe('TenantScope', () => {
  const scoped = TenantScope.of(['t2', 't1', 't1']);
  const platform = TenantScope.PLATFORM;

  it('allows only its tenants; the platform scope allows every tenant', () => {
    expect([scoped.allows('t1'), scoped.allows('t2'), scoped.allows('t3'), scoped.allows(null), scoped.allows(undefined)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect([platform.allows('anything'), platform.allows(null)]).toEqual([true, true]);
    expect([scoped.isPlatformWide, platform.isPlatformWide]).toEqual([false, true]);
  });

  it('gives list queries its tenants, sorted and once each, or no filter when platform-wide', () => {
    expect(scoped.filter()).toEqual(['t1', 't2']);
    expect(platform.filter()).toBeUndefined();
  });

  it('refuses an empty scope: a token scoped to nothing is a mistake', () => {
    expect(() => TenantScope.of([])).toThrow(/at least one tenant/);
  });

  it('assert: 403 naming the tenant and where it was named', () => {
    expect(() => scoped.assert('t1', '[0].tenant_id')).not.toThrow();
    expect(() => platform.assert('t9')).not.toThrow();
    let error: unknown;
    try {
      scoped.assert('t9', '[3].tenant_id');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TenantForbiddenError);
    expect(error).toMatchObject({ status: 403, code: 'tenant_forbidden' });
    expect((error as Error).message).toBe('[3].tenant_id: tenant "t9" is outside this token\'s scope (tenants "t1", "t2")');
  });

  it('assertPlatformWide: 403 for a scoped token only', () => {
    expect(() => platform.assertPlatformWide('the kill switch is platform-wide')).not.toThrow();
    expect(() => TenantScope.of(['a']).assertPlatformWide('the kill switch is platform-wide')).toThrow(
      /^the kill switch is platform-wide; this token is scoped to tenant "a"/,
    );
  });

  it('visible and only keep what the scope includes', () => {
    const rows = [
      { tenant_id: 't1', n: 1 },
      { tenant_id: 't3', n: 2 },
      { tenant_id: 't2', n: 3 },
    ];
    expect(scoped.visible(rows[0])).toBe(rows[0]);
    expect(scoped.visible(rows[1])).toBeNull();
    expect(scoped.visible(null)).toBeNull();
    expect(platform.visible(rows[1])).toBe(rows[1]);
    expect(scoped.only(rows).map((r) => r.n)).toEqual([1, 3]);
    expect(platform.only(rows)).toEqual(rows);
    expect(scoped.only([{ owner: 't2' }, { owner: null }], (r) => r.owner)).toEqual([{ owner: 't2' }]);
  });

  it('assertSees: 404 for another tenant or an unknown id; platform-wide loads nothing', async () => {
    const load = jest.fn(async () => ({ tenant_id: 't3' }));
    await expect(scoped.assertSees('Escalation', 'e1', load)).rejects.toEqual(new NotFoundError('Escalation', 'e1'));
    await expect(scoped.assertSees('Escalation', 'e2', async () => null)).rejects.toMatchObject({ status: 404 });
    await expect(scoped.assertSees('Escalation', 'e3', async () => ({ tenant_id: 't2' }))).resolves.toBeUndefined();
    load.mockClear();
    await expect(platform.assertSees('Escalation', 'e4', load)).resolves.toBeUndefined();
    expect(load).not.toHaveBeenCalled();
  });
});

describe('scopeFromClaim (the tenants claim)', () => {
  it('reads no claim as platform-wide and an array of tenant ids as a scope', () => {
    expect(scopeFromClaim(undefined)).toBe(TenantScope.PLATFORM);
    const scope = scopeFromClaim(['acme', 'globex']);
    expect(scope).toBeInstanceOf(TenantScope);
    expect((scope as TenantScope).filter()).toEqual(['acme', 'globex']);
    expect((scopeFromClaim(['x'.repeat(200)]) as TenantScope).filter()).toEqual(['x'.repeat(200)]);
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty array', [], /empty array; a token scoped to no tenant is refused/],
    ['null', null, /must be an array of tenant ids/],
    ['a string', 'acme', /must be an array of tenant ids/],
    ['an object', { acme: true }, /must be an array of tenant ids/],
    ['a number', 7, /must be an array of tenant ids/],
    ['an empty tenant id', ['acme', ''], /^tenants\[1\]: must be a tenant id of 1 to 200 characters without NUL$/],
    ['a numeric tenant id', [42], /^tenants\[0\]: must be a tenant id/],
    ['a nested array', [['acme']], /^tenants\[0\]: must be a tenant id/],
    ['a null tenant id', ['acme', null], /^tenants\[1\]: must be a tenant id/],
    ['a tenant id with NUL', ['ac\u0000me'], /^tenants\[0\]: must be a tenant id/],
    ['a tenant id over 200 characters', ['x'.repeat(201)], /^tenants\[0\]: must be a tenant id/],
  ])('refuses %s with a message', (_, claim, message) => {
    const result = scopeFromClaim(claim);
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });
});
