import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Notifier } from '../../src/escalation/notifier.port';
import { SilencingNotifier } from '../../src/escalation/silencing-notifier';
import { SlackWebhookNotifier } from '../../src/escalation/slack-webhook-notifier.adapter';
import { createTestApp } from '../utils/test-app';
import { createTestDatabase } from '../utils/test-database';

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: { text: string; blocks: Array<Record<string, unknown>> };
}

/** A real HTTP receiver standing in for Slack. */
describe('SlackWebhookNotifier', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let answer: { status: number; body: string } = { status: 200, body: 'ok' };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method!,
          url: req.url!,
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    received.length = 0;
    answer = { status: 200, body: 'ok' };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the notification as Slack webhook JSON', async () => {
    const notifier = new SlackWebhookNotifier(`${base}/services/T000/B000/secret`);
    await notifier.notify({
      title: 'Escalated https://a/1',
      text: '80 permanent failures',
      severity: 'critical',
      tenant_id: 't1',
      endpoint: 'https://a/1',
      escalation_id: 'e1',
      fields: { priority: 'high' },
    });
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit).toMatchObject({ method: 'POST', url: '/services/T000/B000/secret', contentType: 'application/json' });
    expect(hit.body.text).toContain('[CRITICAL] Escalated https://a/1: 80 permanent failures');
    expect(JSON.stringify(hit.body.blocks)).toContain('*Escalation*\\ne1');
    expect(JSON.stringify(hit.body.blocks)).toContain('*priority*\\nhigh');
  });

  it('rejects with the status and the answer when the receiver fails, without revealing the webhook path', async () => {
    answer = { status: 500, body: 'internal trouble' };
    const notifier = new SlackWebhookNotifier(`${base}/services/T000/B000/secret`);
    const error = await notifier.notify({ title: 't', text: 'x', severity: 'info' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`Notification webhook at ${base} answered HTTP 500: internal trouble`);
    expect((error as Error).message).not.toContain('secret');
  });

  it('rejects with a clear message when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      new SlackWebhookNotifier(`http://127.0.0.1:${port}/hook`).notify({ title: 't', text: 'x', severity: 'info' }),
    ).rejects.toThrow(`Notification webhook at http://127.0.0.1:${port} could not be reached`);
  });

  it('is what the app notifies through when NOTIFY_WEBHOOK_URL is set', async () => {
    const db = await createTestDatabase();
    const t = await createTestApp({ env: { DATABASE_URL: db.url, NOTIFY_WEBHOOK_URL: `${base}/app-hook` } });
    try {
      const notifier = t.app.get(Notifier);
      expect(notifier).toBeInstanceOf(SilencingNotifier);
      expect((notifier as SilencingNotifier).channel).toBeInstanceOf(SlackWebhookNotifier);
      await notifier.notify({ title: 'from the app', text: 'hello', severity: 'warning' });
      expect(received.map((r) => r.url)).toEqual(['/app-hook']);
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
