import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { createTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = keyOf('k1');
const K2 = keyOf('k2');
const SW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const EP = 'https://hooks.example.com/in';

/** Boots the real AppModule; the promise rejects when the boot does. */
async function boot(env: Record<string, string | undefined>): Promise<NestExpressApplication> {
  const config = AppConfig.fromEnv({ ...process.env, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = configureApp(moduleRef.createNestApplication<NestExpressApplication>({ logger: false }));
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

describe('Signing settings API: PUT/GET/DELETE /autoheal/endpoints/signing, re-encryption, boot checks', () => {
  let db: TestDatabase;
  let t: TestApp;
  let dataSource: DataSource;
  const http = () => request(t.app.getHttpServer());
  const as = (role: 'admin' | 'operator' | 'viewer') => `Bearer ${t.token(role, `${role}-alice`)}`;
  const put = (body: Record<string, unknown>, role: 'admin' | 'operator' = 'admin') =>
    http().put('/autoheal/endpoints/signing').set('Authorization', as(role)).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ env: { DATABASE_URL: db.url, SIGNING_KEYS: K1 } });
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sets, lists and deletes; the secret is never answered, stored only encrypted, and audited redacted', async () => {
    const res = await put({ tenant_id: 'acme', endpoint: EP, scheme: 'standard-webhooks', secret: SW_SECRET }).expect(200);
    expect(res.body).toEqual({
      tenant_id: 'acme',
      endpoint: EP,
      scheme: 'standard-webhooks',
      header: null,
      prefix: null,
      key_id: 'k1',
      updated_by: 'admin-alice',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    await put({
      tenant_id: 'acme',
      endpoint: `${EP}/gh`,
      scheme: 'hmac-sha256',
      secret: 'gh-secret',
      header: 'X-Signature',
      prefix: '',
    }).expect(200);

    const listed = await http().get('/autoheal/endpoints/signing').set('Authorization', as('operator')).expect(200);
    expect(listed.body.settings.map((s: { endpoint: string; header: string | null }) => [s.endpoint, s.header])).toEqual([
      [EP, null],
      [`${EP}/gh`, 'x-signature'],
    ]);
    const filtered = await http()
      .get('/autoheal/endpoints/signing')
      .query({ endpoint: `${EP}/gh` })
      .set('Authorization', as('admin'))
      .expect(200);
    expect(filtered.body.settings).toHaveLength(1);

    const everything = JSON.stringify([res.body, listed.body, await dataSource.query(`SELECT * FROM operator_audit`)]);
    expect(everything).not.toContain(SW_SECRET);
    expect(everything).not.toContain('gh-secret');
    const [row] = await dataSource.query(`SELECT * FROM endpoint_signing WHERE endpoint = $1`, [EP]);
    expect(JSON.stringify(row)).not.toContain(SW_SECRET.slice(6, 30));
    expect(Buffer.concat([row.secret_iv, row.secret_tag, row.secret_ciphertext]).includes(Buffer.from(SW_SECRET))).toBe(false);

    await http()
      .delete('/autoheal/endpoints/signing')
      .query({ tenant_id: 'acme', endpoint: `${EP}/gh` })
      .set('Authorization', as('admin'))
      .expect(204);
    const again = await http()
      .delete('/autoheal/endpoints/signing')
      .query({ tenant_id: 'acme', endpoint: `${EP}/gh` })
      .set('Authorization', as('admin'))
      .expect(404);
    expect(again.body.message).toBe(`Signing settings for acme ${EP}/gh not found`);

    const audit = await dataSource.query(
      `SELECT action, operator_id, tenant_id, meta FROM operator_audit WHERE action LIKE 'endpoint_signing%' ORDER BY id`,
    );
    // One row per call; the order of rows written within a millisecond is not kept.
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'endpoint_signing_delete',
      'endpoint_signing_set',
      'endpoint_signing_set',
    ]);
    const of = (action: string) => audit.filter((a: { action: string }) => a.action === action);
    expect(of('endpoint_signing_set')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operator_id: 'admin-alice',
          tenant_id: 'acme',
          meta: expect.objectContaining({ body: expect.objectContaining({ secret: '[redacted]', scheme: 'standard-webhooks' }) }),
        }),
      ]),
    );
    expect(of('endpoint_signing_delete')).toEqual([
      expect.objectContaining({ tenant_id: 'acme', meta: expect.objectContaining({ query: { tenant_id: 'acme', endpoint: `${EP}/gh` } }) }),
    ]);
  });

  it('is admin only for writes; operators may read', async () => {
    await put({ tenant_id: 'acme', endpoint: EP, scheme: 'hmac-sha256', secret: 'x' }, 'operator').expect(403);
    await http().get('/autoheal/endpoints/signing').set('Authorization', as('viewer')).expect(403);
    await http()
      .delete('/autoheal/endpoints/signing')
      .query({ tenant_id: 'acme', endpoint: EP })
      .set('Authorization', as('operator'))
      .expect(403);
  });

  it.each([
    [{ scheme: 'rot13', secret: 'x' }, /scheme must be one of: standard-webhooks, hmac-sha256, stripe-style/],
    [{ scheme: 'hmac-sha256' }, /^secret: secret must be a string/],
    [{ scheme: 'standard-webhooks', secret: 'plain' }, /^secret: a standard-webhooks secret is "whsec_" followed by the base64/],
    [{ scheme: 'standard-webhooks', secret: SW_SECRET, header: 'x-sig' }, /^header: standard-webhooks always signs in webhook-id/],
    [{ scheme: 'stripe-style', secret: 'x', prefix: 'v1=' }, /^prefix: only for hmac-sha256/],
    [
      { scheme: 'hmac-sha256', secret: 'x', header: 'Content-Type' },
      /^header: "Content-Type" must be an HTTP header name the replayer does not set/,
    ],
    [{ scheme: 'hmac-sha256', secret: 'x', header: 'bad header' }, /^header: "bad header" must be an HTTP header name/],
    [{ scheme: 'hmac-sha256', secret: 'x', endpoint: 'ftp://x' }, /^endpoint: "ftp:\/\/x"/],
    [{ scheme: 'hmac-sha256', secret: 'x', extra: 1 }, /property extra should not exist/],
  ])('refuses %j with a 400 naming the field', async (fields, message) => {
    const res = await put({ tenant_id: 'acme', endpoint: EP, ...fields }).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('DELETE needs both tenant_id and endpoint', async () => {
    const res = await http()
      .delete('/autoheal/endpoints/signing')
      .query({ tenant_id: 'acme' })
      .set('Authorization', as('admin'))
      .expect(400);
    expect(res.body.message).toMatch(/tenant_id and endpoint are both required/);
  });

  describe('key rotation and boot checks', () => {
    it('refuses to boot without SIGNING_KEYS once settings exist, and with a key their rows need missing', async () => {
      await expect(boot({ DATABASE_URL: db.url, SIGNING_KEYS: undefined })).rejects.toThrow(
        /SIGNING_KEYS is not set, but 1 endpoint\(s\) have signing settings/,
      );
      await expect(boot({ DATABASE_URL: db.url, SIGNING_KEYS: K2 })).rejects.toThrow(
        /SIGNING_KEYS lacks key id\(s\) "k1", used by 1 signing/,
      );
    });

    it('with a new key first, old rows still work, new writes use it, and reencrypt moves the rest so the old key can go', async () => {
      const rotated = await boot({ DATABASE_URL: db.url, SIGNING_KEYS: `${K2},${K1}` });
      try {
        const admin = `Bearer ${t.token('admin', 'admin-bob')}`;
        await request(rotated.getHttpServer())
          .put('/autoheal/endpoints/signing')
          .set('Authorization', admin)
          .send({ tenant_id: 'acme', endpoint: `${EP}/new`, scheme: 'stripe-style', secret: 'whsec_s' })
          .expect(200)
          .expect((res) => expect(res.body.key_id).toBe('k2'));
        const scoped = `Bearer ${t.token('admin', 'admin-carol', '1h', ['acme'])}`;
        await request(rotated.getHttpServer()).post('/autoheal/endpoints/signing/reencrypt').set('Authorization', scoped).expect(403);
        const res = await request(rotated.getHttpServer())
          .post('/autoheal/endpoints/signing/reencrypt')
          .set('Authorization', admin)
          .expect(200);
        expect(res.body).toEqual({ key_id: 'k2', reencrypted: 1, unreadable: [] });
        const again = await request(rotated.getHttpServer())
          .post('/autoheal/endpoints/signing/reencrypt')
          .set('Authorization', admin)
          .expect(200);
        expect(again.body).toEqual({ key_id: 'k2', reencrypted: 0, unreadable: [] });
      } finally {
        await rotated.close();
      }
      expect(await dataSource.query(`SELECT key_id, count(*)::int AS n FROM endpoint_signing GROUP BY key_id`)).toEqual([
        { key_id: 'k2', n: 2 },
      ]);
      // k1 is no longer needed: the service boots with k2 alone.
      const later = await boot({ DATABASE_URL: db.url, SIGNING_KEYS: K2 });
      await later.close();
    });

    it('refuses a PUT with a clear 503 when SIGNING_KEYS is unset (and no settings exist yet)', async () => {
      const empty = await createTestDatabase();
      const bare = await boot({ DATABASE_URL: empty.url, SIGNING_KEYS: undefined });
      try {
        const res = await request(bare.getHttpServer())
          .put('/autoheal/endpoints/signing')
          .set('Authorization', `Bearer ${t.token('admin')}`)
          .send({ tenant_id: 'acme', endpoint: EP, scheme: 'hmac-sha256', secret: 'x' })
          .expect(503);
        expect(res.body.message).toMatch(/^Signing settings need SIGNING_KEYS/);
      } finally {
        await bare.close();
        await empty.drop();
      }
    });
  });
});
