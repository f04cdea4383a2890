import { createHmac } from 'node:crypto';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { secretProblem, signatureHeaders } from './signature-schemes';

const BODY = '{ "b":1,  "a":[2,1] }\n';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('signatureHeaders', () => {
  const now = new Date();

  it('standard-webhooks: verifies with the official library, with the original message id and the given timestamp', () => {
    const headers = signatureHeaders({
      scheme: 'standard-webhooks',
      secret: SECRET,
      header: null,
      prefix: null,
      messageId: 'msg_1',
      timestamp: now,
      body: BODY,
    });
    expect(headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)) });
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(SECRET).verify(BODY.trim(), headers)).toThrow();
  });

  it('hmac-sha256: GitHub style by default, verified by @octokit/webhooks-methods; header and prefix configurable', async () => {
    const github = signatureHeaders({
      scheme: 'hmac-sha256',
      secret: 'gh-secret',
      header: null,
      prefix: null,
      messageId: 'm',
      timestamp: now,
      body: BODY,
    });
    expect(Object.keys(github)).toEqual(['x-hub-signature-256']);
    expect(await verifyGithub('gh-secret', BODY, github['x-hub-signature-256'])).toBe(true);
    expect(await verifyGithub('other', BODY, github['x-hub-signature-256'])).toBe(false);
    const custom = signatureHeaders({
      scheme: 'hmac-sha256',
      secret: 's',
      header: 'X-Signature',
      prefix: '',
      messageId: 'm',
      timestamp: now,
      body: BODY,
    });
    expect(custom).toEqual({ 'x-signature': createHmac('sha256', 's').update(BODY).digest('hex') });
  });

  it('stripe-style: t=<seconds>,v1=<hex of HMAC(t.body)>', () => {
    const headers = signatureHeaders({
      scheme: 'stripe-style',
      secret: 'whsec_x',
      header: null,
      prefix: null,
      messageId: 'm',
      timestamp: now,
      body: BODY,
    });
    const t = Math.floor(now.getTime() / 1000);
    expect(headers).toEqual({ 'stripe-signature': `t=${t},v1=${createHmac('sha256', 'whsec_x').update(`${t}.${BODY}`).digest('hex')}` });
  });
});

describe('secretProblem', () => {
  it('wants a standard-webhooks secret of whsec_ and 24 to 64 base64 bytes; anything for the HMAC schemes', () => {
    expect(secretProblem('standard-webhooks', SECRET)).toBeNull();
    expect(secretProblem('standard-webhooks', 'whsec_c2hvcnQ=')).toMatch(/24 to 64 random bytes \(got 5 bytes\)/);
    expect(secretProblem('hmac-sha256', 'any')).toBeNull();
    expect(secretProblem('stripe-style', 'whsec_anything')).toBeNull();
  });
});
