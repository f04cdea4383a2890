import { Agent, request } from 'node:http';

// node:http with keep-alive: far lighter than fetch when hundreds of sends share a loaded CPU with
// the receivers in the same process.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface PostResult {
  status: number;
  body: string;
}

/** POSTs a JSON body over plain HTTP and reads the whole answer. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<PostResult> {
  const text = JSON.stringify(body);
  return new Promise<PostResult>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(text);
  });
}
