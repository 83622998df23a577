/**
 * Files and runs: atomic writes, a diverged training run, the "solved"
 * verdict, bad inputs as usage errors, and Ctrl-C / SIGTERM sent to a real
 * child process while it trains and while it overwrites a saved model.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainAdding } from '../../src/experiments/adding';
import { loadCharModel } from '../../src/experiments/chars';
import { checkOutputPath, writeFileAtomic, writeOrFail } from '../../src/cli/atomic-write';
import { Interrupted, OutputPlan, withInterrupts } from '../../src/cli/interrupt';
import { runCli } from '../../src/cli/main';
import { addingVerdict, MIN_TEST_SIZE_FOR_VERDICT } from '../../src/cli/train';
import { UsageError } from '../../src/cli/usage';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');

/** Runs the CLI in-process, capturing what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await runCli(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /\.tmp-\d+-[0-9a-f]+$/.test(f));
const fresh = (name: string): string => mkdtempSync(join(tmpdir(), `handgrad-${name}-`));

/** A tiny char model on disk, trained by the CLI. */
function savedModel(dir: string, name = 'model.json'): string {
  const file = join(dir, name);
  const r = spawnSync(
    process.execPath,
    [bin, 'train', 'chars', '--H', '6', '--E', '3', '--T', '8', '--batch', '2', '--steps', '2', '--save', file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`could not make the model: ${r.stderr}`);
  return file;
}

describe('writeFileAtomic', () => {
  it('writes the bytes, leaves no temporary file, and keeps an existing file’s mode', async () => {
    const dir = fresh('atomic');
    const file = join(dir, 'out.txt');
    await writeFileAtomic(file, 'first\n');
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    chmodSync(file, 0o640);
    await writeFileAtomic(file, 'second\n');
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('a write that fails leaves the target unchanged and removes the temporary file', async () => {
    const dir = fresh('atomic-fail');
    mkdirSync(join(dir, 'folder'));
    await expect(writeOrFail(join(dir, 'folder'), 'x')).rejects.toThrow(
      /cannot write .*folder: it is a folder \(EISDIR\); it is unchanged/,
    );
    await expect(writeOrFail(join(dir, 'missing', 'x.json'), 'x')).rejects.toThrow(
      /cannot write .*x\.json: the folder does not exist \(ENOENT\)/,
    );
    expect(readdirSync(dir)).toEqual(['folder']);
    expect(() => checkOutputPath('--save', join(dir, 'missing', 'm.json'))).toThrow(UsageError);
    expect(() => checkOutputPath('--save', join(dir, 'ok.json'))).not.toThrow();
  });

  it('a signal in the middle of the write leaves the old file byte-identical and no temporary file', async () => {
    const dir = fresh('atomic-signal');
    const file = join(dir, 'model.json');
    writeFileSync(file, 'old contents');
    const plan = new OutputPlan();
    plan.add(file);
    process.env.HANDGRAD_TEST_PAUSE_IN_WRITE = '300';
    try {
      const writing = withInterrupts(
        plan,
        () => 'while writing',
        () => writeFileAtomic(file, 'n'.repeat(100_000)),
      );
      // The first half is in the temporary file during the pause.
      await new Promise((r) => setTimeout(r, 100));
      expect(tempFiles(dir)).toHaveLength(1);
      process.emit('SIGINT');
      const err = await writing.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Interrupted);
      expect((err as Interrupted).exitCode).toBe(130);
      expect((err as Error).message).toBe(`interrupted (SIGINT) while writing; ${file} is unchanged`);
    } finally {
      delete process.env.HANDGRAD_TEST_PAUSE_IN_WRITE;
    }
    expect(readFileSync(file, 'utf8')).toBe('old contents');
    expect(tempFiles(dir)).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

describe('a diverged training run', () => {
  it('train adding with a huge step size stops at once, exits 1, names the step and the knobs', async () => {
    const dir = fresh('diverge');
    const json = join(dir, 'run.json');
    writeFileSync(json, 'previous run');
    const r = await run(['train', 'adding', '--T', '4', '--H', '3', '--steps', '50', '--lr', '1e300', '--json', json]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^handgrad: training diverged at step \d+: the loss is (NaN|Infinity); stopped, nothing saved/,
    );
    expect(r.err).toMatch(
      /\(.*run\.json is unchanged\)\. Try a smaller --lr \(now 1e\+300\) or a smaller --clip \(now 1\)\n$/,
    );
    expect(Number(/step (\d+)/.exec(r.err)?.[1])).toBeLessThan(50);
    expect(r.out).not.toMatch(/test MSE/);
    expect(readFileSync(json, 'utf8')).toBe('previous run');
  });

  it('train chars does not save a NaN model over an existing one', async () => {
    const dir = fresh('diverge-chars');
    const model = savedModel(dir);
    const before = readFileSync(model);
    const r = await run([
      'train',
      'chars',
      '--H',
      '6',
      '--E',
      '3',
      '--T',
      '8',
      '--steps',
      '30',
      '--lr',
      '1e300',
      '--save',
      model,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /training diverged at step \d+: the loss\/char is NaN; stopped, nothing saved \(.*is unchanged\)/,
    );
    expect(readFileSync(model).equals(before)).toBe(true);
  });
});

describe('the "solved" verdict of train adding', () => {
  const repeat = (a: number, b: number, n: number): Float64Array =>
    Float64Array.from({ length: n }, (_, k) => (k % 2 === 0 ? a : b));

  it('needs at least 100 test sequences', () => {
    expect(MIN_TEST_SIZE_FOR_VERDICT).toBe(100);
    const tiny = addingVerdict(new Float64Array([1e-6]));
    expect(tiny.verdict).toBe('too few test sequences');
    expect(tiny.text).toMatch(/1 test sequence is too few to call it solved \(--test-size 100 or more\)/);
    expect(addingVerdict(new Float64Array(99).fill(1e-6)).verdict).toBe('too few test sequences');
    expect(addingVerdict(new Float64Array(100).fill(1e-6)).verdict).toBe('solved');
  });

  it('calls it solved only when the 95% upper bound mean + 1.645·s/√n is below 0.01', () => {
    // 0.002 and 0.012 alternating: mean 0.007, s = 0.005·√(100/99), bound 0.007 + 1.645·s/10 ≈ 0.00783.
    const a = addingVerdict(repeat(0.002, 0.012, 100));
    expect(a.mse).toBeCloseTo(0.007, 12);
    expect(a.upper95).toBeCloseTo(0.007 + (1.645 * 0.005 * Math.sqrt(100 / 99)) / 10, 12);
    expect(a.verdict).toBe('solved');
    // 0 and 0.018 alternating: mean 0.009 < 0.01 but bound 0.009 + 1.645·0.009·√(100/99)/10 ≈ 0.01049.
    const b = addingVerdict(repeat(0, 0.018, 100));
    expect(b.mse).toBeLessThan(0.01);
    expect(b.verdict).toBe('learning');
    expect(b.text).toMatch(/learning, not solved, the 95% bound 0\.0104\d is not below 0\.01/);
    expect(addingVerdict(new Float64Array(100).fill(0.05)).verdict).toBe('learning');
    expect(addingVerdict(new Float64Array(100).fill(0.16)).verdict).toBe('not learned');
  });

  it('the per-sequence squared errors it uses average to the reported test MSE', () => {
    const r = trainAdding({ T: 4, H: 3, steps: 2, batchSize: 2, testSize: 7 });
    expect(r.testSquaredErrors).toHaveLength(7);
    const mean = r.testSquaredErrors.reduce((a, b) => a + b, 0) / 7;
    expect(Math.abs(mean - r.testMse)).toBeLessThan(1e-15 * Math.max(1, r.testMse));
  });

  it('the CLI never prints "solved" on a one-sequence test set, and says why', async () => {
    const r = await run([
      'train',
      'adding',
      '--T',
      '4',
      '--H',
      '3',
      '--steps',
      '3',
      '--batch',
      '2',
      '--test-size',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /test MSE \d\.\d{5} on 1 sequences \(baseline 0\.16667\): no verdict: 1 test sequence is too few/,
    );
    expect(r.out).not.toMatch(/: solved/);
  });
});

describe('bad corpora, lengths and outputs are usage errors (exit 2, one line, before training)', () => {
  const dir = fresh('usage');
  const file = (name: string, bytes: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const text = file('text.txt', 'hello world, hello there. ');
  const empty = file('empty.txt', '');
  const binary = file('binary.dat', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x41]));
  const latin1 = file('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x62]));
  const oneChar = file('one.txt', 'aaaaaaaaaaaaaaaaaaaaaaaa');
  mkdirSync(join(dir, 'folder'));
  const folder = join(dir, 'folder');
  const chars = ['train', 'chars', '--H', '4', '--E', '2', '--steps', '1'];

  it.each([
    [[...chars, '--corpus', empty], /the corpus .*empty\.txt is empty; give a text file of at least 33 characters/],
    [[...chars, '--corpus', text], /the corpus .*text\.txt has 26 characters; --T 32 needs at least T \+ 1 = 33/],
    [[...chars, '--corpus', text, '--T', '26'], /has 26 characters; --T 26 needs at least T \+ 1 = 27/],
    [[...chars, '--corpus', join(dir, 'nope.txt')], /cannot read corpus .*nope\.txt: ENOENT \(no such file\)/],
    [[...chars, '--corpus', folder], /cannot read corpus .*folder: EISDIR \(it is a folder, not a file\)/],
    [[...chars, '--corpus', binary], /the corpus .*binary\.dat is a binary file \(a NUL byte at offset 6\), not text/],
    [[...chars, '--corpus', latin1, '--T', '2'], /the corpus .*latin1\.txt is not UTF-8 text/],
    [[...chars, '--corpus', oneChar, '--T', '2'], /has 1 distinct character; a model needs at least 2/],
    [[...chars, '--corpus', text, '--T', '4', '--prime', 'xyz'], /--prime: the character "x" is not in the corpus/],
    [[...chars, '--corpus', text, '--T', '4', '--save', folder], /--save .*folder cannot be written: it is a folder/],
    [[...chars, '--corpus', text, '--T', '4', '--save', join(dir, 'no', 'm.json')], /the folder does not exist/],
    [[...chars, '--T', '0'], /--T must be a positive integer, got "0"/],
    [[...chars, '--T', '-3'], /--T must be a positive integer, got "-3"/],
    [[...chars, '--T', '2.5'], /--T must be a positive integer, got "2\.5"/],
    [[...chars, '--batch', '1e3'], /--batch must be a positive integer, got "1e3"/],
    [[...chars, '--sample-length', '1000000'], /--sample-length must be at most 100000/],
    [[...chars, '--corpus', text, '--T', '4', '--H', '100000'], /--H 100000.*more than the 268435456 values \(2 GiB\)/],
    [['train', 'adding', '--T', '100000000', '--steps', '1'], /--T 100000000.*needs an array of .* values/],
    [['train', 'adding', '--test-size', '100000000', '--steps', '1'], /--test-size 100000000.*2 GiB/],
    [['train', 'adding', '--H', '0'], /--H must be a positive integer, got "0"/],
    [['train', 'adding', '--clip', '-1'], /--clip must be a positive number, got "-1"/],
    [['train', 'adding', '--json', folder, '--steps', '1'], /--json .*folder cannot be written: it is a folder/],
    [['flow', '--T', '10000000', '--H', '2', '--no-out'], /--T 10000000.*more than half of the JavaScript heap/],
    [['flow', '--T', '3', '--json', folder, '--no-out'], /--json .*folder cannot be written/],
    [['flow', '--D', '-1'], /--D must be a positive integer, got "-1"/],
  ])('%j', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.err).toMatch(message as RegExp);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.out).not.toMatch(/char model:|adding problem:|Gradient flow/);
  });

  it('without --prime, a corpus lacking "The " samples from its first character', async () => {
    const r = await run([...chars, '--corpus', text, '--T', '4', '--sample-length', '5']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toHaveLength(' '.length + 5);
  });
});

// Real child processes and real signals. The built CLI (dist/) is used; jest's global setup builds it.
describe('interrupting a real run (built CLI)', () => {
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
  const trainArgs = (save: string, steps: string, seed = '7'): string[] => [
    'train',
    'chars',
    '--H',
    '6',
    '--E',
    '3',
    '--T',
    '8',
    '--batch',
    '2',
    '--steps',
    steps,
    '--seed',
    seed,
    '--sample-every',
    '1000000',
    '--save',
    save,
  ];

  interface Child {
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    err: string;
  }

  /** Spawns the CLI; `act(child, output)` is called on every output chunk until it returns true. */
  function spawnCli(
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; act: (send: (s: NodeJS.Signals | 'ctrl-c') => void, all: string) => boolean },
  ): Promise<Child> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: options.env ?? env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let done = false;
      const send = (s: NodeJS.Signals | 'ctrl-c'): void => {
        if (s === 'ctrl-c') child.stdin.write('\x03');
        else child.kill(s);
      };
      const poll = (): void => {
        if (!done) done = options.act(send, out + err);
      };
      child.stdout.on('data', (d) => {
        out += String(d);
        poll();
      });
      child.stderr.on('data', (d) => {
        err += String(d);
        poll();
      });
      const timer = setInterval(poll, 20);
      // Never outlive the test: a child that ignored its signal is killed and the assertions fail.
      const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearInterval(timer);
        clearTimeout(guard);
        child.stdin.destroy();
        resolve({ code, signal, out, err });
      });
    });
  }

  /** Sends `signal` once a temporary file holds part of the new model (the write is paused half-way). */
  const duringSave = (dir: string, signal: NodeJS.Signals | 'ctrl-c') => {
    return (send: (s: NodeJS.Signals | 'ctrl-c') => void): boolean => {
      const temps = tempFiles(dir);
      if (temps.length === 1 && statSync(join(dir, temps[0] as string)).size > 0) {
        send(signal);
        return true;
      }
      return false;
    };
  };

  const expectOldModelKept = (dir: string, model: string, before: Buffer): void => {
    const after = readFileSync(model);
    expect(after.equals(before)).toBe(true);
    expect(loadCharModel(after.toString('utf8')).H).toBe(6);
    expect(tempFiles(dir)).toEqual([]);
  };

  it('SIGTERM while --save overwrites a model: exit 143, the old model byte-identical and loadable', async () => {
    const dir = fresh('sigterm-save');
    const model = savedModel(dir);
    const before = readFileSync(model);
    const r = await spawnCli(process.execPath, [bin, ...trainArgs(model, '3')], {
      env: env({ HANDGRAD_TEST_PAUSE_IN_WRITE: '20000' }),
      act: duringSave(dir, 'SIGTERM'),
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(143);
    expect(r.err).toMatch(
      /handgrad: interrupted \(SIGTERM\) while writing .*model\.json: model not saved; .*model\.json is unchanged\n$/u,
    );
    expect(r.out).not.toMatch(/wrote/);
    expectOldModelKept(dir, model, before);
  });

  it('SIGINT while --save overwrites a model: exit 130, the old model kept', async () => {
    const dir = fresh('sigint-save');
    const model = savedModel(dir);
    const before = readFileSync(model);
    const r = await spawnCli(process.execPath, [bin, ...trainArgs(model, '3')], {
      env: env({ HANDGRAD_TEST_PAUSE_IN_WRITE: '20000' }),
      act: duringSave(dir, 'SIGINT'),
    });
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted \(SIGINT\) while writing .*model not saved; .*model\.json is unchanged\n$/);
    expectOldModelKept(dir, model, before);
  });

  it('SIGINT during training: exit 130, no file created, an existing one unchanged', async () => {
    const dir = fresh('sigint-train');
    const model = savedModel(dir, 'old.json');
    const before = readFileSync(model);
    for (const target of [join(dir, 'new.json'), model]) {
      const r = await spawnCli(process.execPath, [bin, ...trainArgs(target, '1000000')], {
        // The header is printed once the handlers are in place; 300 ms later it is training.
        act: (send, all) => {
          if (!/char model:/.test(all)) return false;
          setTimeout(() => send('SIGINT'), 300);
          return true;
        },
      });
      expect(r.code).toBe(130);
      expect(r.err).toMatch(
        /interrupted \(SIGINT\) while training at step \d+ of 1000000: model not saved; .*json (not created|is unch)/,
      );
    }
    expect(existsSync(join(dir, 'new.json'))).toBe(false);
    expectOldModelKept(dir, model, before);
  });

  it('a second signal ends a run stuck between yield points at once, after the cleanups', async () => {
    const dir = fresh('second-signal');
    const marker = join(dir, 'cleaned');
    const script = `
      const { writeFileSync } = require('node:fs');
      const i = require(${JSON.stringify(join(root, 'dist', 'cjs', 'cli', 'interrupt.js'))});
      i.onEmergencyCleanup(() => writeFileSync(${JSON.stringify(marker)}, 'yes'));
      const plan = new i.OutputPlan();
      plan.add(${JSON.stringify(join(dir, 'out.json'))});
      // withInterrupts installs its handlers before its first await: ready once it returned.
      i.withInterrupts(plan, () => 'while stuck', () => new Promise((r) => setTimeout(r, 20000)));
      process.stdout.write('ready\\n');
    `;
    const started = Date.now();
    const r = await spawnCli(process.execPath, ['-e', script], {
      act: (send, all) => {
        if (!/ready/.test(all)) return false;
        send('SIGINT');
        setTimeout(() => send('SIGINT'), 200);
        return true;
      },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/^handgrad: interrupted \(SIGINT\) twice; .*out\.json not created\n$/);
    expect(readFileSync(marker, 'utf8')).toBe('yes');
  });

  // A real terminal: `script` gives the CLI a pseudo-terminal, so the progress bar runs and hides the
  // cursor, and a Ctrl-C byte written to it is turned into SIGINT by the terminal driver.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  const onTerminal = hasScript ? it : it.skip;
  const inTerminal = (args: string[]): string[] => [
    '-qefc',
    ['exec', process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '),
    '/dev/null',
  ];
  const HIDE = '\x1b[?25l';
  const SHOW = '\x1b[?25h';

  onTerminal('Ctrl-C on a terminal during training: exit 130, the cursor shown again, nothing written', async () => {
    const dir = fresh('ctrl-c-train');
    const target = join(dir, 'model.json');
    const r = await spawnCli('script', inTerminal(trainArgs(target, '1000000')), {
      act: (send, all) => {
        if (!/\d+\/1000000 steps/.test(all)) return false;
        send('ctrl-c');
        return true;
      },
    });
    expect(r.code).toBe(130);
    expect(r.out).toContain(HIDE);
    expect(r.out.lastIndexOf(SHOW)).toBeGreaterThan(r.out.lastIndexOf(HIDE));
    expect(r.out).toMatch(
      /interrupted \(SIGINT\) while training at step \d+ of 1000000: model not saved; .*model\.json not created/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  onTerminal('Ctrl-C on a terminal during --save: exit 130, the cursor shown, the old model kept', async () => {
    const dir = fresh('ctrl-c-save');
    const model = savedModel(dir);
    const before = readFileSync(model);
    const r = await spawnCli('script', inTerminal(trainArgs(model, '3')), {
      env: env({ HANDGRAD_TEST_PAUSE_IN_WRITE: '20000' }),
      act: duringSave(dir, 'ctrl-c'),
    });
    expect(r.code).toBe(130);
    expect(r.out).toContain(HIDE);
    expect(r.out.lastIndexOf(SHOW)).toBeGreaterThan(r.out.lastIndexOf(HIDE));
    expect(r.out).toMatch(/interrupted \(SIGINT\) while writing .*model not saved; .*model\.json is unchanged/);
    expectOldModelKept(dir, model, before);
  });
});
