import { randomBytes } from 'node:crypto';
import { SecretCipher, secretContext } from '../../src/signing/secret-cipher';
import { SigningSettingsStore, SigningSettingsWrite } from '../../src/signing/signing-settings-store.port';

export interface SigningSettingsStoreUnderTest {
  store: SigningSettingsStore;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-12-01T12:00:00.000Z');
const later = (m: number) => new Date(NOW.getTime() + m * 60_000);
const OLD = new SecretCipher([{ id: 'old', key: randomBytes(32) }]);
const CURRENT = new SecretCipher([{ id: 'new', key: randomBytes(32) }]);

/** The behaviour every SigningSettingsStore adapter must share; run once per adapter. */
export function describeSigningSettingsStoreContract(name: string, factory: () => Promise<SigningSettingsStoreUnderTest>): void {
  describe(`SigningSettingsStore contract: ${name}`, () => {
    let subject: SigningSettingsStoreUnderTest;
    let store: SigningSettingsStore;
    let run = 0;
    // Tenants unique per test, so tests sharing one store do not see each other.
    let tenant = (t: string) => t;
    const write = (t: string, endpoint: string, fields: Partial<SigningSettingsWrite> = {}): SigningSettingsWrite => ({
      tenant_id: tenant(t),
      endpoint,
      scheme: 'hmac-sha256',
      header: null,
      prefix: null,
      secret: OLD.encrypt(`secret-of-${t}`, secretContext(tenant(t), endpoint)),
      by: 'admin-alice',
      now: NOW,
      ...fields,
    });

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    beforeEach(() => {
      const prefix = `s${++run}-${randomBytes(2).toString('hex')}-`;
      tenant = (t: string) => prefix + t;
    });
    afterAll(() => subject?.dispose());

    it('keeps the settings per tenant+endpoint with the encrypted secret as given', async () => {
      const w = write('a', 'https://a.example.com/in', { scheme: 'stripe-style', header: 'x-sig' });
      const stored = await store.put(w);
      expect(stored).toEqual({
        tenant_id: tenant('a'),
        endpoint: 'https://a.example.com/in',
        scheme: 'stripe-style',
        header: 'x-sig',
        prefix: null,
        key_id: 'old',
        updated_by: 'admin-alice',
        created_at: NOW,
        updated_at: NOW,
        secret: w.secret,
      });
      expect(await store.get(tenant('a'), 'https://a.example.com/in')).toEqual(stored);
      expect(OLD.decrypt(stored.secret, secretContext(tenant('a'), 'https://a.example.com/in'))).toBe('secret-of-a');
      expect(await store.get(tenant('a'), 'https://a.example.com/other')).toBeNull();
      expect(await store.get(tenant('b'), 'https://a.example.com/in')).toBeNull();
    });

    it('replaces on a second put, keeping created_at', async () => {
      await store.put(write('a', 'https://a.example.com/in'));
      const replaced = await store.put(
        write('a', 'https://a.example.com/in', { scheme: 'standard-webhooks', by: 'admin-bob', now: later(5), prefix: null }),
      );
      expect(replaced).toMatchObject({ scheme: 'standard-webhooks', updated_by: 'admin-bob', created_at: NOW, updated_at: later(5) });
      expect(await store.list({ tenant_id: tenant('a') })).toHaveLength(1);
    });

    it('lists by tenant then endpoint, filtered by tenant, tenants and endpoint', async () => {
      await store.put(write('b', 'https://z.example.com/in'));
      await store.put(write('a', 'https://z.example.com/in'));
      await store.put(write('a', 'https://m.example.com/in'));
      const ours = await store.list({ tenant_ids: [tenant('a'), tenant('b')] });
      expect(ours.map((s) => [s.tenant_id, s.endpoint])).toEqual([
        [tenant('a'), 'https://m.example.com/in'],
        [tenant('a'), 'https://z.example.com/in'],
        [tenant('b'), 'https://z.example.com/in'],
      ]);
      expect((await store.list({ tenant_id: tenant('a'), endpoint: 'https://z.example.com/in' })).map((s) => s.tenant_id)).toEqual([
        tenant('a'),
      ]);
      expect(await store.list({ tenant_ids: [tenant('nobody')] })).toEqual([]);
    });

    it('deletes once, and says whether there was something', async () => {
      await store.put(write('a', 'https://a.example.com/in'));
      expect(await store.delete(tenant('a'), 'https://a.example.com/in')).toBe(true);
      expect(await store.delete(tenant('a'), 'https://a.example.com/in')).toBe(false);
      expect(await store.get(tenant('a'), 'https://a.example.com/in')).toBeNull();
    });

    it('counts rows per key, lists those under another key, and swaps a secret only while it is unchanged', async () => {
      const before = (await store.keyUsage()).get('old') ?? 0;
      const first = await store.put(write('a', 'https://a.example.com/in'));
      await store.put(write('a', 'https://b.example.com/in'));
      expect((await store.keyUsage()).get('old')).toBe(before + 2);
      const pending = (await store.notUnderKey('new', 10_000)).filter((s) => s.tenant_id === tenant('a'));
      expect(pending.map((s) => s.endpoint)).toEqual(['https://a.example.com/in', 'https://b.example.com/in']);

      const context = secretContext(tenant('a'), 'https://a.example.com/in');
      const moved = CURRENT.encrypt('secret-of-a', context);
      expect(await store.replaceSecret(tenant('a'), 'https://a.example.com/in', first.secret, moved)).toBe(true);
      // The row changed meanwhile (here: by the swap itself), so a stale swap does nothing.
      expect(await store.replaceSecret(tenant('a'), 'https://a.example.com/in', first.secret, OLD.encrypt('x', context))).toBe(false);
      const now = await store.get(tenant('a'), 'https://a.example.com/in');
      expect(now).toMatchObject({ key_id: 'new', secret: moved });
      expect(CURRENT.decrypt(now!.secret, context)).toBe('secret-of-a');
      expect((await store.notUnderKey('new', 10_000)).filter((s) => s.tenant_id === tenant('a')).map((s) => s.endpoint)).toEqual([
        'https://b.example.com/in',
      ]);
    });
  });
}
