import http from 'node:http';
import https from 'node:https';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { CheckedUrl } from './webhook-url-policy';

/** Longest excerpt of an answer or error a delivery keeps. */
export const EXCERPT_CHARS = 256;

export interface HttpAnswer {
  status: number;
  /** The start of the answer's body, at most EXCERPT_CHARS characters; the rest is never read. */
  excerpt: string;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * POSTs `body` to the checked URL, connecting to the address the policy
 * checked (never a fresh DNS answer), following no redirect, and failing when
 * the whole answer has not come within `timeoutMs`. TLS still verifies the
 * URL's host name.
 */
export function postJson(
  target: CheckedUrl,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const { url, address } = target;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (result: { answer: HttpAnswer } | { error: Error }) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if ('answer' in result) {
        resolve(result.answer);
      } else {
        reject(result.error);
      }
    };
    const request = transport.request(url, {
      method: 'POST',
      agent: false,
      signal,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Loadline-Webhooks/1',
        ...headers,
      },
      lookup: (_host: string, options: LookupOptions, callback: LookupCallback) => {
        if (options.all === true) {
          callback(null, [{ address: address.address, family: address.family }]);
        } else {
          callback(null, address.address, address.family);
        }
      },
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ error: new Error(`no answer within ${timeoutMs} ms`) });
    }, timeoutMs);
    request.on('response', (response) => {
      let excerpt = '';
      response.setEncoding('utf8');
      const done = () => {
        finish({ answer: { status: response.statusCode ?? 0, excerpt: excerpt.slice(0, EXCERPT_CHARS) } });
        response.destroy();
      };
      response.on('data', (chunk: string) => {
        excerpt += chunk;
        if (excerpt.length >= EXCERPT_CHARS) {
          done();
        }
      });
      response.on('end', done);
      response.on('error', (error) => finish({ error }));
    });
    request.on('error', (error) => finish({ error }));
    request.end(body);
  });
}
