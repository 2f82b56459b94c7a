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
