/**
 * The thread pool in a real browser (headless Chromium through playwright-core, as docs:check uses; skipped
 * where /usr/bin/chromium is missing): on a cross-origin isolated page a large product is split with a Blob-URL
 * worker, while the page's thread spins instead of Atomics.wait, and gives the bits of one thread; on a page
 * that is not isolated the products use one thread, silently.
 */
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type * as Linalg from '../../src/linalg/public';
import type { threadPoolHooks as Hooks } from '../../src/linalg/threads';

/** What the page holds: the bundle's global and the browser's own. */
interface PageGlobals {
  linalg: typeof Linalg & { threadPoolHooks: typeof Hooks };
  navigator: { hardwareConcurrency: number };
  crossOriginIsolated: boolean;
}

const CHROMIUM = '/usr/bin/chromium';
const testInBrowser = existsSync(CHROMIUM) && availableParallelism() >= 2 ? test : test.skip;

function bundle(): string {
  const result = buildSync({
    stdin: {
      contents: `export * from './src/linalg/public';\nexport { threadPoolHooks } from './src/linalg/threads';\n`,
      resolveDir: join(__dirname, '..', '..'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'linalg',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function serve(code: string, isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> = {
      'content-type': req.url === '/linalg.js' ? 'text/javascript' : 'text/html',
    };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers);
    res.end(req.url === '/linalg.js' ? code : '<!doctype html><script src="/linalg.js"></script>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface PageResult {
  isolated: boolean;
  threads: number;
  split: number;
  workerShares: number;
  same: boolean;
}

testInBrowser(
  'a browser page splits products only when cross-origin isolated, with the bits of one thread',
  async () => {
    const { chromium } = await import('playwright-core');
    const code = bundle();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const results: PageResult[] = [];
      for (const isolated of [true, false]) {
        const server = await serve(code, isolated);
        try {
          const page = await browser.newPage();
          await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
          results.push(
            await page.evaluate(async () => {
              const g = globalThis as unknown as PageGlobals;
              const { Matrix, matmul, setThreads, getThreads, setProductTier, threadPoolHooks } = g.linalg;
              setProductTier('wasm');
              setThreads(Math.min(2, g.navigator.hardwareConcurrency));
              // 120×400 by 400×200 = 9.6·10^6 multiply-adds: past the 4× the split threshold that moves the kernel
              // to shared memory.
              const A = Matrix.zeros(120, 400);
              const B = Matrix.zeros(400, 200);
              for (let i = 0; i < A.data.length; i++) A.data[i] = Math.sin(i);
              for (let i = 0; i < B.data.length; i++) B.data[i] = Math.cos(i);
              matmul(A, B); // starts the worker; the page's thread does the product while it loads
              const threads = getThreads();
              let two = matmul(A, B);
              // The worker loads when this thread yields; then a product is split.
              for (let i = 0; i < 100 && threadPoolHooks.workerShares === 0 && threads > 1; i++) {
                await new Promise((r) => setTimeout(r, 20));
                threadPoolHooks.revoke = false;
                two = matmul(A, B);
              }
              setThreads(1);
              const one = matmul(A, B);
              const same = one.data.every((v: number, i: number) => Object.is(v, two.data[i]));
              return {
                isolated: g.crossOriginIsolated,
                threads,
                split: threadPoolHooks.parallelProducts,
                workerShares: threadPoolHooks.workerShares,
                same,
              };
            }),
          );
          await page.close();
        } finally {
          server.close();
        }
      }
      const [isolated, plain] = results as [PageResult, PageResult];
      expect(isolated).toMatchObject({ isolated: true, threads: 2, same: true });
      expect(isolated.workerShares).toBeGreaterThan(0);
      expect(plain).toEqual({ isolated: false, threads: 1, split: 0, workerShares: 0, same: true });
    } finally {
      await browser.close();
    }
  },
  60_000,
);
