import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { closeServer, listenOnLoopback, loopbackUrl } from '../../bench/loopback-server';

export interface RawRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** Exactly the bytes that arrived. */
  bytes: Buffer;
  /** What the path's verifier said: null when verified, else why not. */
  rejection: string | null;
}

/** Null when the request verifies, else the reason. */
export type Verifier = (bytes: Buffer, headers: IncomingHttpHeaders) => Promise<string | null>;

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The official Standard Webhooks library's check (signature, and a timestamp within 5 minutes of now). */
export const standardWebhooksVerifier =
  (secret: string): Verifier =>
  async (bytes, headers) => {
    try {
      new Webhook(secret).verify(bytes.toString('utf8'), headers as Record<string, string>);
      return null;
    } catch (error) {
      return `standardwebhooks: ${(error as Error).message}`;
    }
  };

/** @octokit/webhooks-methods' verify, as a GitHub receiver runs it on X-Hub-Signature-256. */
export const githubVerifier =
  (secret: string, name = 'x-hub-signature-256'): Verifier =>
  async (bytes, headers) => {
    const signature = header(headers, name);
    if (!signature) return `octokit: no ${name} header`;
    try {
      return (await verifyGithub(secret, bytes.toString('utf8'), signature)) ? null : 'octokit: signature does not match';
    } catch (error) {
      return `octokit: ${(error as Error).message}`;
    }
  };

/**
 * Stripe's documented scheme, written out: `Stripe-Signature: t=<unix seconds>,v1=<hex>` where v1 is the HMAC-SHA256
 * of `<t>.<raw body>` under the endpoint secret; any v1 may match; the timestamp within `toleranceSeconds` of now.
 */
export const stripeStyleVerifier =
  (secret: string, toleranceSeconds = 300, name = 'stripe-signature'): Verifier =>
  async (bytes, headers) => {
    const value = header(headers, name);
    if (!value) return `stripe: no ${name} header`;
    const pairs = value.split(',').map((part) => part.split('=', 2) as [string, string]);
    const t = pairs.find(([k]) => k === 't')?.[1];
    const signatures = pairs.filter(([k]) => k === 'v1').map(([, v]) => v);
    if (!t || !/^\d+$/.test(t) || signatures.length === 0) return 'stripe: unable to extract timestamp and signatures';
    const expected = createHmac('sha256', secret).update(`${t}.`).update(bytes).digest();
    const matches = signatures.some((hex) => {
      const given = Buffer.from(hex, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) return 'stripe: no signatures found matching the expected signature for payload';
    if (Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return 'stripe: timestamp outside the tolerance zone';
    return null;
  };

/** A receiver on 127.0.0.1 that keeps each request's raw bytes and answers 200 when its path's verifier accepts, else 401. */
export class VerifyingReceiver {
  readonly received: RawRequest[] = [];
  private readonly verifiers = new Map<string, Verifier>();
  private server?: Server;
  private port = 0;

  verify(path: string, verifier: Verifier): this {
    this.verifiers.set(path, verifier);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const path = req.url ?? '';
        const verifier = this.verifiers.get(path);
        void (verifier ? verifier(bytes, req.headers) : Promise.resolve(null)).then((rejection) => {
          this.received.push({ path, headers: req.headers, bytes, rejection });
          res.writeHead(rejection ? 401 : 200, { 'content-type': 'text/plain' }).end(rejection ?? 'ok');
        });
      });
    });
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  url(path: string): string {
    return loopbackUrl(this.port, path);
  }

  at(path: string): RawRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
