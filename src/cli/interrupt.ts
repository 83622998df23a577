/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP during `train` and `flow`: the run
 * stops at its next yield point (between training steps, between the chunks
 * of a file write), temporary files are removed, the progress bar gives the
 * cursor back, and one line says what was interrupted and which files were
 * kept. The exit code is 128 + the signal number (130, 143, 129), as a shell
 * reports a process the signal killed.
 *
 * A JavaScript signal handler runs only when the event loop turns, so the
 * commands yield to it (see {@link yieldToSignals}); a second signal while
 * the first is being honoured ends the process at once, after the same
 * cleanup.
 */
import { existsSync } from 'node:fs';

/** The signals a run honours, with the exit code each gives. */
export const SIGNAL_EXIT_CODES: Readonly<Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The run was stopped by a signal; `message` says what was interrupted and what was kept. */
export class Interrupted extends Error {
  constructor(
    readonly signal: HandledSignal,
    message: string,
  ) {
    super(message);
    this.name = 'Interrupted';
  }

  /** 128 + the signal's number. */
  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.signal];
  }
}

let received: HandledSignal | null = null;
const cleanups = new Set<() => void>();

/**
 * Registers a synchronous cleanup (remove a temporary file, show the cursor)
 * that must run even when a second signal ends the process at once. Returns
 * the function that unregisters it.
 */
export function onEmergencyCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // A cleanup that fails must not keep the others from running.
    }
  }
}

/** Throws {@link Interrupted} when a signal has arrived (the caller's message is completed upstream). */
export function throwIfInterrupted(): void {
  if (received !== null) throw new Interrupted(received, 'interrupted');
}

let lastYield = 0;

/**
 * Lets a pending signal handler run (the event loop turns once), then throws
 * {@link Interrupted} if one did. Cheap when called every training step: it
 * turns the loop at most every 25 ms.
 */
export async function yieldToSignals(force = false): Promise<void> {
  const now = performance.now();
  if (force || now - lastYield >= 25) {
    lastYield = now;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throwIfInterrupted();
}

/**
 * The files a command means to write: whether each existed before, and which
 * were written, so an interruption can say what it kept.
 */
export class OutputPlan {
  private readonly entries: { path: string; existed: boolean; written: boolean }[] = [];

  /** Records a file the command will write. */
  add(path: string | undefined): void {
    if (path === undefined) return;
    this.entries.push({ path, existed: existsSync(path), written: false });
  }

  /** Marks `path` as written in full (renamed into place). */
  written(path: string): void {
    for (const e of this.entries) if (e.path === path) e.written = true;
  }

  /** "wrote a.json; models/lstm.json is unchanged; curve.svg not created", or "nothing written". */
  summary(): string {
    if (this.entries.length === 0) return 'no file was to be written';
    return this.entries
      .map((e) => (e.written ? `wrote ${e.path}` : e.existed ? `${e.path} is unchanged` : `${e.path} not created`))
      .join('; ');
  }
}

/**
 * Runs `body` with SIGINT, SIGTERM and SIGHUP honoured as described above. An
 * {@link Interrupted} thrown inside comes out with the message
 * "interrupted (SIGINT) <what `describe()` says>; <plan summary>".
 */
export async function withInterrupts<T>(plan: OutputPlan, describe: () => string, body: () => Promise<T>): Promise<T> {
  received = null;
  lastYield = performance.now();
  const handlers = new Map<HandledSignal, () => void>();
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) {
    const handler = (): void => {
      if (received === null) {
        received = signal;
        return;
      }
      // A second signal: the user does not want to wait for the next yield point.
      runCleanups();
      process.stderr.write(`handgrad: interrupted (${signal}) twice; ${plan.summary()}\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  try {
    const result = await body();
    // A signal after the last yield point still ends the run as interrupted (its files are complete).
    throwIfInterrupted();
    return result;
  } catch (err) {
    if (err instanceof Interrupted) {
      throw new Interrupted(err.signal, `interrupted (${err.signal}) ${describe()}; ${plan.summary()}`);
    }
    throw err;
  } finally {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    received = null;
  }
}
