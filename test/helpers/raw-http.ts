/** A client that misbehaves on purpose: raw bytes over a socket, for what fetch() will not send. */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  text: string;
  /** The status line's code, if the server answered at all. */
  status: number | undefined;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** From connecting to the close (or to giving up). */
  ms: number;
}

export interface RawExchange {
  socket: Socket;
  /** What the server sent, once it closes the connection or `waitMs` passes. */
  answer(waitMs: number): Promise<RawAnswer>;
}

/** Opens a connection to the gateway at `baseUrl` and writes `head` (and nothing else yet). */
export function openRaw(baseUrl: string, head: string | Buffer): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let text = '';
    let closedAfter: number | undefined;
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    const closed = new Promise<void>((done) =>
      socket.on('close', () => {
        closedAfter = Date.now() - started;
        done();
      }),
    );
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(head);
      resolve({
        socket,
        async answer(waitMs) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((done) => (timer = setTimeout(done, waitMs)))]);
          clearTimeout(timer);
          const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
          return { text, status: status === undefined ? undefined : Number(status), closed: closedAfter !== undefined, ms: closedAfter ?? Date.now() - started };
        },
      });
    });
  });
}

/**
 * A client that goes away mid-stream as a real one does: it reads until the first event arrives, then
 * closes its socket. (fetch's abort keeps the socket open here, which holds the server's shutdown until
 * its timeouts, a minute; a closed socket is what a browser or SDK leaving leaves behind.)
 */
export async function streamThenHangUp(baseUrl: string, token: string, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  const exchange = await openRaw(
    baseUrl,
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  await new Promise<void>((resolve) => {
    const check = (chunk: string) => {
      if (!chunk.includes('data:')) return;
      exchange.socket.off('data', check);
      resolve();
    };
    exchange.socket.on('data', check);
    exchange.socket.once('close', () => resolve());
  });
  exchange.socket.destroy();
}
