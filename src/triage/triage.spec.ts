import { classifyFailure, FailureSignal, TRIAGE_LABELS, TriageLabel } from './triage';

type Row = [description: string, signal: FailureSignal, label: TriageLabel, score: number];

describe('classifyFailure', () => {
  it.each<[string, FailureSignal]>([
    ['pending', { status: 'pending', http_status: 503, error: 'ECONNREFUSED' }],
    ['delivered', { status: 'delivered', http_status: 200 }],
    ['delivered, even with an error text', { status: 'delivered', http_status: 500, error: 'timeout' }],
  ])('has nothing to say about a %s delivery', (_, signal) => {
    expect(classifyFailure(signal)).toBeNull();
  });

  const rows: Row[] = [
    // HTTP status decides when there is one.
    ['503', { status: 'failed', http_status: 503 }, 'transient_endpoint_down', 0.95],
    ['502', { status: 'failed', http_status: 502 }, 'transient_endpoint_down', 0.9],
    ['504', { status: 'failed', http_status: 504 }, 'transient_endpoint_down', 0.9],
    ['500', { status: 'failed', http_status: 500 }, 'transient_endpoint_down', 0.8],
    ['507', { status: 'failed', http_status: 507 }, 'transient_endpoint_down', 0.7],
    ['599', { status: 'failed', http_status: 599 }, 'transient_endpoint_down', 0.7],
    ['501 is 5xx but will not heal by waiting', { status: 'failed', http_status: 501 }, 'transient_endpoint_down', 0.5],
    ['505', { status: 'failed', http_status: 505 }, 'transient_endpoint_down', 0.5],
    ['408 request timeout', { status: 'failed', http_status: 408 }, 'transient_endpoint_down', 0.7],
    ['429', { status: 'failed', http_status: 429 }, 'rate_limited', 0.95],
    ['429 on a dead letter', { status: 'dead_letter', http_status: 429 }, 'rate_limited', 0.95],
    ['400', { status: 'failed', http_status: 400 }, 'invalid_payload', 0.85],
    ['413', { status: 'failed', http_status: 413 }, 'invalid_payload', 0.95],
    ['422', { status: 'failed', http_status: 422 }, 'invalid_payload', 0.9],
    ['410 gone', { status: 'dead_letter', http_status: 410 }, 'permanent_4xx', 0.95],
    ['401', { status: 'failed', http_status: 401 }, 'permanent_4xx', 0.9],
    ['403', { status: 'failed', http_status: 403 }, 'permanent_4xx', 0.9],
    ['404', { status: 'failed', http_status: 404 }, 'permanent_4xx', 0.9],
    ['405', { status: 'failed', http_status: 405 }, 'permanent_4xx', 0.9],
    ['409', { status: 'failed', http_status: 409 }, 'permanent_4xx', 0.75],
    ['451', { status: 'failed', http_status: 451 }, 'permanent_4xx', 0.75],
    ['the status beats a contradicting error text', { status: 'failed', http_status: 404, error: 'ECONNREFUSED' }, 'permanent_4xx', 0.9],
    [
      'the status beats a rate-limit phrase',
      { status: 'failed', http_status: 503, error: 'rate limit exceeded' },
      'transient_endpoint_down',
      0.95,
    ],

    // Error text only: Node / undici codes and the usual phrases, scored lower.
    ['ECONNREFUSED', { status: 'failed', error: 'connect ECONNREFUSED 10.0.0.7:443' }, 'transient_endpoint_down', 0.85],
    ['connection refused phrase', { status: 'failed', error: 'Connection refused by peer' }, 'transient_endpoint_down', 0.85],
    ['ECONNRESET', { status: 'failed', error: 'read ECONNRESET' }, 'transient_endpoint_down', 0.75],
    ['socket hang up', { status: 'failed', error: 'socket hang up' }, 'transient_endpoint_down', 0.75],
    ['EPIPE', { status: 'failed', error: 'write EPIPE' }, 'transient_endpoint_down', 0.75],
    ['undici other side closed', { status: 'failed', error: 'SocketError: other side closed' }, 'transient_endpoint_down', 0.75],
    ['ETIMEDOUT', { status: 'failed', error: 'connect ETIMEDOUT 1.2.3.4:443' }, 'transient_endpoint_down', 0.75],
    ['ESOCKETTIMEDOUT', { status: 'failed', error: 'ESOCKETTIMEDOUT' }, 'transient_endpoint_down', 0.75],
    ['undici connect timeout', { status: 'failed', error: 'UND_ERR_CONNECT_TIMEOUT' }, 'transient_endpoint_down', 0.75],
    [
      'undici headers timeout',
      { status: 'dead_letter', error: 'HeadersTimeoutError: UND_ERR_HEADERS_TIMEOUT' },
      'transient_endpoint_down',
      0.75,
    ],
    ['"timeout"', { status: 'failed', error: 'timeout' }, 'transient_endpoint_down', 0.75],
    ['"Request timed out"', { status: 'failed', error: 'Request timed out after 10000ms' }, 'transient_endpoint_down', 0.75],
    ['"Timeout awaiting response"', { status: 'failed', error: 'Timeout awaiting response headers' }, 'transient_endpoint_down', 0.75],
    ['EAI_AGAIN', { status: 'failed', error: 'getaddrinfo EAI_AGAIN hooks.example.com' }, 'transient_endpoint_down', 0.75],
    ['ENOTFOUND', { status: 'failed', error: 'getaddrinfo ENOTFOUND hooks.example.com' }, 'transient_endpoint_down', 0.6],
    ['EHOSTUNREACH', { status: 'failed', error: 'connect EHOSTUNREACH 10.1.1.1:80' }, 'transient_endpoint_down', 0.7],
    ['ENETUNREACH', { status: 'failed', error: 'connect ENETUNREACH' }, 'transient_endpoint_down', 0.7],
    ['rate-limit phrase', { status: 'failed', error: 'Too Many Requests' }, 'rate_limited', 0.7],
    ['rate_limit phrase', { status: 'failed', error: 'rate_limit_exceeded' }, 'rate_limited', 0.7],
    ['payload too large phrase', { status: 'failed', error: 'PayloadTooLargeError: request entity too large' }, 'invalid_payload', 0.7],
    [
      'a status code quoted in the text',
      { status: 'failed', error: 'Request failed with status code 503' },
      'transient_endpoint_down',
      0.76,
    ],
    ['HTTP/1.1 line in the text', { status: 'failed', error: 'HTTP/1.1 429 Too Many Requests' }, 'rate_limited', 0.7],
    ['"HTTP 404" in the text', { status: 'failed', error: 'HTTP 404 from receiver' }, 'permanent_4xx', 0.72],
    ['"status: 422" in the text', { status: 'failed', error: 'rejected, status: 422' }, 'invalid_payload', 0.72],
    [
      'a failed status with a 2xx code falls back to the text',
      { status: 'failed', http_status: 200, error: 'ECONNRESET' },
      'transient_endpoint_down',
      0.75,
    ],

    // Nothing recognisable.
    ['no status and no error', { status: 'failed' }, 'unknown', 0.1],
    ['nulls', { status: 'dead_letter', http_status: null, error: null }, 'unknown', 0.1],
    ['blank error', { status: 'failed', error: '   ' }, 'unknown', 0.1],
    ['an unrecognised error', { status: 'failed', error: 'certificate has expired' }, 'unknown', 0.2],
    ['a redirect', { status: 'failed', http_status: 302 }, 'unknown', 0.2],
    ['a 2xx on a failed delivery', { status: 'failed', http_status: 204 }, 'unknown', 0.2],
  ];

  it.each(rows)('labels %s', (_, signal, label, score) => {
    expect(classifyFailure(signal)).toEqual({ label, score });
  });

  it('only ever answers known labels with a score in 0..1', () => {
    for (const [, signal] of rows) {
      const triage = classifyFailure(signal)!;
      expect(TRIAGE_LABELS).toContain(triage.label);
      expect(triage.score).toBeGreaterThanOrEqual(0);
      expect(triage.score).toBeLessThanOrEqual(1);
    }
  });

  it('is surer of a status code than of error text alone, and least sure of unknown', () => {
    const byStatus = classifyFailure({ status: 'failed', http_status: 503 })!.score;
    const byText = classifyFailure({ status: 'failed', error: 'socket hang up' })!.score;
    const unknown = classifyFailure({ status: 'failed', error: 'weird' })!.score;
    expect(byStatus).toBeGreaterThan(byText);
    expect(byText).toBeGreaterThan(unknown);
  });
});
