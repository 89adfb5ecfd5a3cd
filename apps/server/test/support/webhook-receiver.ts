import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { WebhookEventBody } from '@loadline/contracts';
import type { Static } from '@sinclair/typebox';
import { StoredJson } from '../../src/lib/message-kind';

/** One request a receiver got. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  /** The status it was answered with; null while it hangs (or when it never was). */
  answered: number | null;
  /** A hanging request the sender gave up on (closed the connection): its timeout ran out, or it stopped. */
  cut: boolean;
}

const EVENT_BODY = new StoredJson('webhook body', WebhookEventBody);

/** The body a receiver got, checked against the contract. */
export function deliveredEvent(request: ReceivedRequest): Static<typeof WebhookEventBody> {
  return EVENT_BODY.read(request.body);
}

/** What a path answers next: a status, or `hang` (no answer until the receiver closes). */
export type ScriptedAnswer = number | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: each path answers its
 * script in order (then 200), and every request is kept with its raw body.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        receiver.answer(request.url ?? '/', request.headers, Buffer.concat(chunks), response),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('the receiver is not listening');
    }
    return `http://127.0.0.1:${address.port}${path}`;
  }

  /** The answers `path` gives to its next requests, in order. */
  script(path: string, answers: ScriptedAnswer[]): void {
    this.scripts.set(path, [...answers]);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    // Closed by the receiver, not cut by the sender.
    const hanging = [...this.hanging];
    this.hanging.clear();
    for (const response of hanging) {
      response.destroy();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(path: string, headers: IncomingHttpHeaders, body: Buffer, response: ServerResponse): void {
    const next = this.scripts.get(path)?.shift() ?? 200;
    const received: ReceivedRequest = {
      path,
      headers,
      body: body.toString('utf8'),
      answered: null,
      cut: false,
    };
    this.requests.push(received);
    if (next === 'hang') {
      this.hanging.add(response);
      response.on('close', () => {
        received.cut = this.hanging.delete(response);
      });
      return;
    }
    received.answered = next;
    // A redirect points at another path of this receiver: a sender that followed it would show there.
    const redirect = next >= 300 && next < 400 ? { location: `${path}/followed` } : {};
    response
      .writeHead(next, { 'content-type': 'text/plain', ...redirect })
      .end(next < 300 ? 'ok' : `receiver says ${next}`.padEnd(next === 413 ? 1000 : 0, '!'));
  }
}
