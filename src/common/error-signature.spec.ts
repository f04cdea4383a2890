import { dominantSignature, errorSignature } from './error-signature';

describe('errorSignature', () => {
  it.each([
    ['connect ECONNREFUSED 10.0.0.12:443', 'connect econnrefused <ip>:<n>'],
    ['Timeout after 3012ms for delivery dlv_8f3a2', 'timeout after <n>ms for delivery <id>'],
    ['Timeout after 15ms for delivery dlv_1', 'timeout after <n>ms for delivery <id>'],
    ['request 6f1c2b7e-9a4d-4c3e-8b1a-2d3e4f5a6b7c failed', 'request <uuid> failed'],
    ['upstream error at 2026-12-01T22:14:03.123Z (trace 9f86d081884c7d65)', 'upstream error at <ts> (trace <hex>)'],
    ['pointer 0xDEADBEEF freed twice', 'pointer <hex> freed twice'],
    ['  HTTP   503  ', 'http <n>'],
    ['', '<empty>'],
  ])('%j → %j', (message, signature) => {
    expect(errorSignature(message)).toBe(signature);
  });

  it('keeps words that differ apart, and plain words without digits intact', () => {
    expect(errorSignature('connection reset by peer')).not.toBe(errorSignature('connection refused'));
    expect(errorSignature('Service Unavailable')).toBe('service unavailable');
    expect(errorSignature(null)).toBe('<empty>');
  });
});

describe('dominantSignature', () => {
  it('finds the signature most failures share, with its share of the sample', () => {
    const messages = [...Array.from({ length: 19 }, (_, i) => `Timeout after ${100 + i}ms for delivery dlv_${i}`), 'HTTP 500'];
    const signature = 'timeout after <n>ms for delivery <id>';
    expect(dominantSignature(messages)).toEqual({ signature, count: 19, sampled: 20, share: 0.95 });
    expect(dominantSignature([])).toBeNull();
  });
});
