import { createHmac, randomBytes } from 'node:crypto';
import { TenantScope } from '../auth/tenant-scope';
import { ManualClock } from '../clock/clock';
import { EndpointSigning } from './endpoint-signing.service';
import { MemorySigningSettingsStore } from './memory-signing-settings-store.adapter';
import { ReplaySigner, SignRequest } from './replay-signer.service';
import { SecretCipher, SigningKey } from './secret-cipher';
import { SIGNING_SETTINGS_TTL_MS, SigningSettingsCache } from './signing-settings-cache';
import type { StoredSigningSettings } from './signing-settings-store.port';

/** Counts the lookups a send makes, the database round trips the cache saves; `gate` holds a lookup's answer back. */
class CountingStore extends MemorySigningSettingsStore {
  lookups = 0;
  gate: Promise<void> | null = null;

  override async get(tenantId: string, endpoint: string): Promise<StoredSigningSettings | null> {
    this.lookups++;
    const found = await super.get(tenantId, endpoint);
    await this.gate;
    return found;
  }
}

const EP = 'https://api.example.com/webhook';
const BODY = '{"a":1}';
const k1: SigningKey = { id: 'k1', key: randomBytes(32) };
const k2: SigningKey = { id: 'k2', key: randomBytes(32) };
const hmac = (secret: string) => `sha256=${createHmac('sha256', secret).update(BODY).digest('hex')}`;
const send = (endpoint = EP): SignRequest => ({ tenantId: 'acme', target: endpoint, deliveryId: 'dlv_1', body: BODY, storedHeaders: null });

describe('ReplaySigner: settings cached per tenant+endpoint', () => {
  let clock: ManualClock;
  let store: CountingStore;
  let cipher: SecretCipher;
  let signer: ReplaySigner;
  let signing: EndpointSigning;

  const wire = (keys: SigningKey[], cache = new SigningSettingsCache(clock)) => {
    cipher = new SecretCipher(keys);
    signer = new ReplaySigner(store, cipher, clock, cache);
    signing = new EndpointSigning(store, cipher, clock, cache);
  };
  const put = (secret: string, endpoint = EP) =>
    signing.put({ tenant_id: 'acme', endpoint, scheme: 'hmac-sha256', secret }, TenantScope.PLATFORM, 'alice');
  const signature = async (endpoint = EP) => (await signer.sign(send(endpoint)))?.headers['x-hub-signature-256'] ?? null;

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-12-02T06:00:00Z'));
    store = new CountingStore();
    wire([k1]);
  });

  it('N sends within the TTL, one after another or at once, make one lookup; the next after the TTL makes another', async () => {
    await put('s1');
    for (let i = 0; i < 50; i++) expect(await signature()).toBe(hmac('s1'));
    clock.advance(SIGNING_SETTINGS_TTL_MS - 1);
    expect(await Promise.all(Array.from({ length: 50 }, () => signature()))).toEqual(Array(50).fill(hmac('s1')));
    expect(store.lookups).toBe(1);

    clock.advance(1);
    expect(await signature()).toBe(hmac('s1'));
    expect(store.lookups).toBe(2);
  });

  it('"no settings" is cached too: an unsigned drain does not look up per send either', async () => {
    for (let i = 0; i < 20; i++) expect(await signer.sign(send())).toBeNull();
    expect(store.lookups).toBe(1);
  });

  it('a PUT or DELETE through EndpointSigning takes effect on the next send, within the TTL', async () => {
    expect(await signature()).toBeNull();
    await put('s1');
    expect(await signature()).toBe(hmac('s1'));
    await put('s2');
    expect(await signature()).toBe(hmac('s2'));
    await signing.delete('acme', EP, TenantScope.PLATFORM);
    expect(await signer.sign(send())).toBeNull();
    expect(store.lookups).toBe(4);
  });

  it('a lookup that read the old settings before a PUT is not kept: the send after the PUT looks up again', async () => {
    let answer!: () => void;
    store.gate = new Promise((resolve) => (answer = resolve));
    const before = signer.sign(send());
    await put('s1');
    store.gate = null;
    answer();
    expect(await before).toBeNull();
    expect(await signature()).toBe(hmac('s1'));
    expect(store.lookups).toBe(2);
  });

  it("a change another instance made (straight to the store) is picked up once this instance's entry expires", async () => {
    await put('s1');
    expect(await signature()).toBe(hmac('s1'));
    await store.delete('acme', EP);
    expect(await signature()).toBe(hmac('s1'));
    clock.advance(SIGNING_SETTINGS_TTL_MS);
    expect(await signature()).toBeNull();
  });

  it('reencrypt invalidates the rows it moved: the next send reads the row again and signs with the same secret', async () => {
    await put('s1');
    wire([k2, k1]);
    expect(await signature()).toBe(hmac('s1'));
    expect(await signing.reencrypt(TenantScope.PLATFORM)).toMatchObject({ key_id: 'k2', reencrypted: 1 });
    expect(await signature()).toBe(hmac('s1'));
    expect(store.lookups).toBe(2);
  });

  it('settings that cannot be used are not cached: every send fails, and the next after a fix signs', async () => {
    await put('s1');
    wire([k2]);
    await expect(signer.sign(send())).rejects.toThrow(/key "k1"/);
    await expect(signer.sign(send())).rejects.toThrow(/key "k1"/);
    expect(store.lookups).toBe(2);
    await put('s2');
    expect(await signature()).toBe(hmac('s2'));
  });

  it('holds at most maxEntries tenant+endpoints, evicting the oldest', async () => {
    wire([k1], new SigningSettingsCache(clock, SIGNING_SETTINGS_TTL_MS, 2));
    for (const endpoint of [`${EP}/1`, `${EP}/2`, `${EP}/3`]) await signature(endpoint);
    expect(store.lookups).toBe(3);
    await signature(`${EP}/3`);
    await signature(`${EP}/2`);
    expect(store.lookups).toBe(3);
    await signature(`${EP}/1`);
    expect(store.lookups).toBe(4);
  });
});
