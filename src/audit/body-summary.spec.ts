import { summarizeBody } from './body-summary';

describe('summarizeBody', () => {
  it('reduces arrays to their length, at the top and inside objects', () => {
    const deliveries = Array.from({ length: 1000 }, (_, i) => ({ id: `d${i}`, payload: { big: 'x'.repeat(10_000) } }));
    expect(summarizeBody(deliveries)).toEqual({ length: 1000 });
    expect(summarizeBody({ tenant_id: 't1', deliveries })).toEqual({ tenant_id: 't1', deliveries: { length: 1000 } });
  });

  it('keeps scalars, cuts long strings and bounds nesting', () => {
    const summary = summarizeBody({ dry_run: true, n: 3, note: 'y'.repeat(500), a: { b: { c: { d: 1 } } } }) as Record<string, unknown>;
    expect(summary.dry_run).toBe(true);
    expect(summary.n).toBe(3);
    expect(summary.note).toMatch(/^y{200}…\(500 chars\)$/);
    expect(summary.a).toEqual({ b: { keys: 1 } });
  });

  it('redacts secret-looking keys', () => {
    expect(summarizeBody({ api_key: 'k', headers: { Authorization: 'Bearer x' }, reason: 'r' })).toEqual({
      api_key: '[redacted]',
      headers: { Authorization: '[redacted]' },
      reason: 'r',
    });
  });

  it('caps the number of keys', () => {
    const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const summary = summarizeBody(wide) as Record<string, unknown>;
    expect(Object.keys(summary)).toHaveLength(21);
    expect(summary['…']).toBe('10 more keys');
  });

  it('answers null for an absent body', () => {
    expect(summarizeBody(undefined)).toBeNull();
  });
});
