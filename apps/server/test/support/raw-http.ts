import net from 'node:net';

export interface RawAnswer {
  /** The status line's code; 0 when the server closed without answering. */
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends raw bytes to 127.0.0.1:`port` (in pieces, `gapMs` apart) and collects
 * what comes back until the server closes the connection: for requests no HTTP
 * client would send (malformed framing, trickled bodies).
 */
export function rawExchange(port: number, pieces: (string | Buffer)[], gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body });
    });
    void (async () => {
      for (const piece of pieces) {
        if (socket.destroyed) {
          return;
        }
        socket.write(piece);
        if (gapMs > 0) {
          await new Promise((done) => setTimeout(done, gapMs));
        }
      }
    })();
  });
}
