import { HttpReplayer } from '../../src/replay/http-replayer.adapter';
import { Replayer } from '../../src/replay/replayer.port';
import type { ReplayRequest } from '../../src/replay/replay.types';
import { TargetGuard } from '../../src/replay/target-guard';
import { createTestApp } from '../utils/test-app';
import { createTestDatabase } from '../utils/test-database';
import { closedPort, TestReceiver } from './receiver';

const request = (target: string, overrides: Partial<ReplayRequest> = {}): ReplayRequest => ({
  deliveryId: 'dlv_http_1',
  tenantId: 'tenant-http',
  target,
  payload: { event: 'ping' },
  headers: null,
  idempotencyKey: 'dlv_http_1',
  ...overrides,
});

describe('HttpReplayer against a local receiver', () => {
  let receiver: TestReceiver;
  let replayer: HttpReplayer;

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    replayer = new HttpReplayer({ timeoutMs: 300 }, new TargetGuard({ allowPrivateTargets: true }));
  });
  afterAll(async () => {
    await replayer?.onApplicationShutdown();
    await receiver?.stop();
  });

  it('returns a timeout error, not an exception, when the receiver never answers', async () => {
    const result = await replayer.send(request(receiver.url('/hang')));
    expect(result).toMatchObject({ ok: false, httpStatus: null, error: expect.stringMatching(/^timeout: no response within 300 ms/) });
    expect(receiver.receivedOn('/hang')).toHaveLength(1);
  });

  it("says a timeout is one, and hands back the receiver's Retry-After as sent", async () => {
    expect(await replayer.send(request(receiver.url('/hang')))).toMatchObject({ ok: false, timedOut: true });
    expect(await replayer.send(request(receiver.url('/status/429?retry-after=7')))).toEqual({
      ok: false,
      httpStatus: 429,
      error: 'HTTP 429',
      durationMs: expect.any(Number),
      retryAfter: '7',
    });
    const ok = await replayer.send(request(receiver.url('/status/200')));
    expect(ok).not.toHaveProperty('retryAfter');
    expect(ok).not.toHaveProperty('timedOut');
  });

  it('returns connection refused as a result', async () => {
    const port = await closedPort();
    expect(await replayer.send(request(`http://127.0.0.1:${port}/in`))).toMatchObject({
      ok: false,
      httpStatus: null,
      error: 'connection refused (ECONNREFUSED)',
    });
  });

  it('reads and discards a large response body and keeps the status', async () => {
    expect(await replayer.send(request(receiver.url('/big')))).toMatchObject({ ok: true, httpStatus: 200, error: null });
  });

  it('does not follow redirects', async () => {
    expect(await replayer.send(request(receiver.url('/status/307')))).toMatchObject({ ok: false, httpStatus: 307, error: 'HTTP 307' });
  });

  it('drops stored headers it cannot send safely and keeps the rest', async () => {
    const headers = {
      'X-Custom': 'kept',
      'X-Count': 3,
      'X-Bad-Value': 'a\r\nInjected: yes',
      'Bad Name': 'x',
      'X-Object': { nested: true },
      Connection: 'keep-alive, X-Hop',
      'X-Hop': 'hop-by-hop, named by Connection',
      'Content-Encoding': 'gzip',
      'Idempotency-Key': 'forged',
      'Keep-Alive': 'timeout=5',
      Upgrade: 'websocket',
    } as Record<string, unknown>;
    const result = await replayer.send(request(receiver.url('/status/202?h=1'), { headers }));
    expect(result).toMatchObject({ ok: true, httpStatus: 202 });
    const [seen] = receiver.receivedOn('/status/202?h=1');
    expect(seen.headers).toMatchObject({ 'x-custom': 'kept', 'x-count': '3', 'idempotency-key': 'dlv_http_1' });
    for (const name of ['x-bad-value', 'injected', 'x-object', 'x-hop', 'content-encoding', 'keep-alive', 'upgrade']) {
      expect(seen.headers[name]).toBeUndefined();
    }
  });

  it('posts a null payload as JSON null', async () => {
    await replayer.send(request(receiver.url('/status/200?null=1'), { payload: null }));
    expect(receiver.receivedOn('/status/200?null=1')[0].body).toBe('null');
  });
});

describe('HttpReplayer with private targets refused', () => {
  let receiver: TestReceiver;
  let replayer: HttpReplayer;
  const guard = new TargetGuard({ allowPrivateTargets: false });

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    replayer = new HttpReplayer({ timeoutMs: 2000 }, guard);
  });
  afterAll(async () => {
    await replayer?.onApplicationShutdown();
    await receiver?.stop();
  });

  it('TargetGuard refuses 127.0.0.1', async () => {
    expect(await guard.check(receiver.url('/status/200'))).toEqual({
      allowed: false,
      reason: 'target host 127.0.0.1 is a loopback address',
    });
  });

  it('refuses to send to a loopback receiver, which sees nothing', async () => {
    const result = await replayer.send(request(receiver.url('/status/200')));
    expect(result).toMatchObject({ ok: false, httpStatus: null, error: expect.stringMatching(/^target refused: .*loopback/) });
    expect(receiver.received).toHaveLength(0);
  });

  it('re-checks at connect time: a name that rebinds to loopback after the check is refused', async () => {
    const answers = ['93.184.215.14', '127.0.0.1'];
    const rebinding = new TargetGuard({ allowPrivateTargets: false }, async () => [{ address: answers.shift() ?? '127.0.0.1', family: 4 }]);
    const rebound = new HttpReplayer({ timeoutMs: 2000 }, rebinding);
    try {
      const port = new URL(receiver.url('/')).port;
      const result = await rebound.send(request(`http://rebind.test:${port}/status/200`));
      expect(result).toMatchObject({
        ok: false,
        httpStatus: null,
        error: expect.stringMatching(/target refused at connect: .*127\.0\.0\.1, a loopback/),
      });
      expect(answers).toHaveLength(0);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await rebound.onApplicationShutdown();
    }
  });
});

describe('ReplayModule shutdown', () => {
  it('closes the HTTP agent when the app closes; a send afterwards is a failed result', async () => {
    const db = await createTestDatabase();
    const receiver = await new TestReceiver().start();
    try {
      const t = await createTestApp({ env: { DATABASE_URL: db.url, REPLAY_ALLOW_PRIVATE_TARGETS: 'true' } });
      const replayer = t.app.get(Replayer);
      expect(await replayer.send(request(receiver.url('/status/200')))).toMatchObject({ ok: true });
      await t.close();
      const after = await replayer.send(request(receiver.url('/status/200')));
      expect(after).toMatchObject({ ok: false, httpStatus: null, error: expect.stringMatching(/^not sent: the replayer is shut down/) });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.stop();
      await db.drop();
    }
  });
});
