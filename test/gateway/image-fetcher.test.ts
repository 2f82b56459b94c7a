/** The SSRF guard in front of image fetching: addresses, DNS answers, redirects, sizes and types. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { IMAGE_FETCH_FAILED, ImageFetchBusyError, ImageFetcher, ImageFetchError } from '../../src/gateway/image-fetcher.js';
import { isPublicAddress } from '../../src/security/address-policy.js';

describe('isPublicAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true],
    ['172.32.0.1', true],
    ['2606:4700::1111', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::a9fe:a9fe', false],
    ['localhost', false],
    ['not-an-ip', false],
    ['::ffff:0:7f00:1', false],
    ['64:ff9b:1::a9fe:a9fe', false],
    ['2002:7f00:1::', false],
    ['::7f00:1', false],
    ['64:ff9b::808:808', true],
  ];
  for (const [ip, expected] of cases) it(`${ip} → ${expected ? 'public' : 'refused'}`, () => assert.equal(isPublicAddress(ip), expected));
});

describe('ImageFetcher', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/cat.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      if (req.url === '/big.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(4096));
      if (req.url === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      if (req.url === '/to-internal') return res.writeHead(302, { location: `http://127.0.0.2:${port}/cat.png` }).end();
      if (req.url === '/to-self') return res.writeHead(302, { location: '/cat.png' }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/to-ssh') return res.writeHead(302, { location: 'http://images.test:22/' }).end();
      if (req.url === '/bad-location') return res.writeHead(302, { location: 'http://exa mple.com:99999/' }).end();
      if (req.url === '/stall') return void res.writeHead(200, { 'content-type': 'image/png' }).write(png.subarray(0, 4));
      if (req.url === '/reset') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' }).write(png);
        return void setTimeout(() => res.socket?.destroy(), 20);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A fetcher that treats 127.0.0.1 (only) as public, and resolves *.test names to it. */
  const fetcher = (maxBytes = 1024, extra: { maxBytesPerRequest?: number; timeoutMs?: number; maxConcurrentPerUser?: number; maxQueuedPerUser?: number } = {}) =>
    new ImageFetcher({
      maxBytes,
      ports: [port, 80, 443],
      ...(extra.maxConcurrentPerUser !== undefined ? { maxConcurrentPerUser: extra.maxConcurrentPerUser } : {}),
      ...(extra.maxQueuedPerUser !== undefined ? { maxQueuedPerUser: extra.maxQueuedPerUser } : {}),
      timeoutMs: extra.timeoutMs ?? 2000,
      ...(extra.maxBytesPerRequest !== undefined ? { maxBytesPerRequest: extra.maxBytesPerRequest } : {}),
      isAllowedAddress: (ip) => ip === '127.0.0.1',
      lookup: ((host: string, _o: unknown, cb: (e: Error | null, a: Array<{ address: string; family: number }>) => void) =>
        cb(null, [{ address: host === 'internal.test' ? '127.0.0.3' : '127.0.0.1', family: 4 }])) as never,
    });

  it('fetches an image by name and by an allowed address, as base64 with its type', async () => {
    const f = fetcher();
    assert.deepEqual(await f.fetch(`http://images.test:${port}/cat.png`), { mediaType: 'image/png', data: png.toString('base64') });
    assert.equal((await f.fetch(`http://127.0.0.1:${port}/to-self`)).mediaType, 'image/png');
    await f.close();
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['a loopback address literal', 'http://127.0.0.9:PORT/cat.png', /not public/],
    ['a metadata address literal', 'http://169.254.169.254/latest/meta-data/', /not public/],
    ['an IPv6 loopback literal', 'http://[::1]:PORT/cat.png', /not public/],
    ['a name that resolves to a refused address', 'http://internal.test:PORT/cat.png', /resolves to a non-public address/],
    ['a redirect to a refused address', 'http://images.test:PORT/to-internal', /not public/],
    ['a redirect loop', 'http://images.test:PORT/loop', /redirects too many times/],
    ['an image over the size limit', 'http://images.test:PORT/big.png', /larger than 1024 bytes/],
    ['a page that is not an image', 'http://images.test:PORT/page', /content-type 'text\/html'/],
    ['a missing image', 'http://images.test:PORT/nope.png', /HTTP 404/],
    ['another scheme', 'ftp://images.test/cat.png', /http or https/],
    ['a redirect to an invalid URL', 'http://images.test:PORT/bad-location', /invalid URL/],
    ['a connection reset mid-body', 'http://images.test:PORT/reset', /fetch failed/],
    ['a port other than the allowed ones', 'http://images.test:22/cat.png', /port 22 is not one/],
    ['a redirect to a port other than the allowed ones', 'http://images.test:PORT/to-ssh', /port 22 is not one/],
  ];
  for (const [name, url, message] of refusals) {
    it(`refuses ${name}`, async () => {
      const f = fetcher();
      // What failed is kept for the server; the caller reads the same words whatever it was (no oracle).
      await assert.rejects(f.fetch(url.replace('PORT', String(port))), (err: unknown) => err instanceof ImageFetchError && message.test(err.detail) && err.message === IMAGE_FETCH_FAILED);
      await f.close();
    });
  }

  it('bounds the total time of a fetch whose body trickles, as a 400-type failure', async () => {
    const f = fetcher(1024, { timeoutMs: 300 });
    await assert.rejects(f.fetch(`http://images.test:${port}/stall`), (err: unknown) => err instanceof ImageFetchError && /longer than 300 ms/.test(err.detail));
    await f.close();
  });

  it('shares a byte budget across one request’s images', async () => {
    const f = fetcher(1024, { maxBytesPerRequest: 20 });
    const budget = f.budget();
    await f.fetch(`http://images.test:${port}/cat.png`, undefined, budget);
    await assert.rejects(
      f.fetch(`http://images.test:${port}/cat.png`, undefined, budget),
      (err: unknown) => err instanceof ImageFetchError && /images are larger than 20 bytes together/.test(err.detail),
    );
    await f.close();
  });

  it("gives each user a share of the fetch slots: one user's images wait, another's go, a flood is refused", async () => {
    const f = fetcher(1024, { timeoutMs: 400, maxConcurrentPerUser: 2, maxQueuedPerUser: 2 });
    const slow = Array.from({ length: 4 }, () => f.fetch(`http://images.test:${port}/stall`, undefined, f.budget(), 'greedy').catch((e: unknown) => e));
    const started = Date.now();
    assert.equal((await f.fetch(`http://images.test:${port}/cat.png`, undefined, f.budget(), 'patient')).mediaType, 'image/png');
    assert.ok(Date.now() - started < 300, "another user's image did not wait behind the greedy one's");
    await assert.rejects(f.fetch(`http://images.test:${port}/cat.png`, undefined, f.budget(), 'greedy'), ImageFetchBusyError);
    await Promise.all(slow);
    assert.equal((await f.fetch(`http://images.test:${port}/cat.png`, undefined, f.budget(), 'greedy')).mediaType, 'image/png', 'and its share is back once they finish');
    await f.close();
  });

  it('tells the server what failed, while the caller hears only that it did', async () => {
    const details: string[] = [];
    const f = new ImageFetcher({ maxBytes: 1024, timeoutMs: 2000, onFailure: (d) => details.push(d) });
    await assert.rejects(f.fetch('http://127.0.0.1:22/x.png'), (err: unknown) => err instanceof ImageFetchError && err.message === IMAGE_FETCH_FAILED);
    assert.deepEqual(details, ['port 22 is not one images may be fetched from']);
    await f.close();
  });

  it('by default refuses the machine itself, whatever the name', async () => {
    const f = new ImageFetcher({ maxBytes: 1024, timeoutMs: 2000 });
    await assert.rejects(f.fetch(`http://localhost:${port}/cat.png`), ImageFetchError);
    await assert.rejects(f.fetch(`http://127.0.0.1:${port}/cat.png`), ImageFetchError);
    await f.close();
  });
});
