/**
 * Running a user's kernels in a child process, so that nothing they do can
 * stop the checker from reporting: an endless loop is killed at the time
 * limit, `process.exit` and crashes end only the child, and their console
 * output goes to the checker's stderr (never into `--json` stdout).
 *
 * The child speaks a small protocol over the IPC channel ({@link ChildMessage}):
 * `phase` when it starts loading (which starts the time limit) and each
 * kernel, `progress`, one `report` per finished kernel, then exactly one
 * `done` or `error`. It gets the {@link ChildRequest} as its last argument.
 * The channel is JSON-serialized, so a child in another language (a python3
 * runner for numpy homework) can speak it too: one JSON object per line on the
 * file descriptor Node passes in its NODE_CHANNEL_FD environment variable;
 * {@link childCommandFor} is where such a child is chosen.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CheckProgress, CheckRunError, KernelReport, KernelSizes } from '../gradcheck/index.js';

/** What the child is asked to check. */
export interface ChildRequest {
  /** The module as the user gave it to --impl (for messages). */
  readonly impl: string;
  /** The working directory the path is relative to. */
  readonly cwd: string;
  /** --kernel patterns, or null for every kernel the module exports. */
  readonly kernels: string[] | null;
  /** The case and the comparison's settings. */
  readonly settings: {
    readonly sizes: KernelSizes;
    readonly seed: number;
    readonly eps: number;
    readonly tolerance: number;
    readonly samples: number | null;
  };
}

/** Everything a child sends. */
export type ChildMessage =
  | { readonly type: 'phase'; readonly kernel: string | null }
  | { readonly type: 'progress'; readonly progress: CheckProgress }
  | { readonly type: 'report'; readonly report: KernelReport }
  | { readonly type: 'done'; readonly notes: string[] }
  | { readonly type: 'error'; readonly error: CheckRunError; readonly notes?: string[] };

/** What a child run came to: the kernels it finished, and why it stopped early (null when it did not). */
export interface ChildOutcome {
  readonly reports: KernelReport[];
  readonly notes: string[];
  readonly error: CheckRunError | null;
}

/** How to start a child: a program and its arguments (the request is appended as one JSON argument). */
export interface ChildCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The Node child that checks a JavaScript module (dist/cjs/cli/check-child.js, beside this file). */
export function nodeChildCommand(): ChildCommand {
  // Source maps: a throw in compiled TypeScript homework is located in its .ts source.
  const flags = process.execArgv.includes('--enable-source-maps') ? [] : ['--enable-source-maps'];
  return { command: process.execPath, args: [...process.execArgv, ...flags, join(__dirname, 'check-child.js')] };
}

/**
 * The child that checks the module at `impl`: the Node child for every module, a
 * numpy `.py` one included (it calls the module's functions through python3, see python.ts).
 */
export function childCommandFor(_impl: string): ChildCommand {
  return nodeChildCommand();
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** Kill the child this many milliseconds after it starts loading the user's module. */
  readonly timeoutMs: number;
  /** Called for each progress message. */
  readonly onProgress?: (progress: CheckProgress) => void;
  /** Where the child's stdout and stderr go (the checker's stderr). */
  readonly output?: NodeJS.WritableStream;
}

/** How long the child may take to start and load the checker, before the user's time limit begins. */
const STARTUP_LIMIT_MS = 30_000;

function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

/**
 * Runs `command` with `request`, enforcing the time limit, and collects its
 * reports. Never rejects for anything the child does: a hang, an exit or a
 * crash becomes the outcome's `error`.
 */
export function runChild(
  command: ChildCommand,
  request: ChildRequest,
  options: RunChildOptions,
): Promise<ChildOutcome> {
  const output = options.output ?? process.stderr;
  return new Promise((resolvePromise) => {
    const reports: KernelReport[] = [];
    let notes: string[] = [];
    let error: CheckRunError | null = null;
    let finished = false;
    let loaded = false;
    let kernel: string | null = null;
    let timedOut = false;

    const child = spawn(command.command, [...command.args, JSON.stringify(request)], {
      cwd: request.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    child.stdout?.pipe(output, { end: false });
    child.stderr?.pipe(output, { end: false });

    // The limit is the user's: it starts when the child, started and with the
    // checker loaded, begins to load the module. Starting up has its own,
    // generous limit, for a machine under heavy load.
    const kill = (): void => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let timer = setTimeout(kill, STARTUP_LIMIT_MS);
    let started = false;

    child.on('message', (raw: unknown) => {
      const msg = raw as ChildMessage;
      if (finished) return;
      switch (msg.type) {
        case 'phase':
          if (!started) {
            started = true;
            clearTimeout(timer);
            timer = setTimeout(kill, options.timeoutMs);
          }
          kernel = msg.kernel;
          if (msg.kernel !== null) loaded = true;
          break;
        case 'progress':
          options.onProgress?.(msg.progress);
          break;
        case 'report':
          reports.push(msg.report);
          break;
        case 'done':
          notes = msg.notes;
          finished = true;
          break;
        case 'error':
          error = msg.error;
          notes = msg.notes ?? notes;
          finished = true;
          break;
      }
    });

    const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      if (timedOut && !started) {
        error = {
          kind: 'crash',
          kernel: null,
          location: null,
          message:
            `the checker's own process did not start within ${seconds(STARTUP_LIMIT_MS)}; ` +
            'the machine may be overloaded',
        };
      } else if (timedOut && !finished) {
        const limit = seconds(options.timeoutMs);
        error = {
          kind: 'timeout',
          kernel,
          location: null,
          message: loaded
            ? `${kernel === null ? 'your module' : `${kernel}: your kernels`} did not finish within ${limit} ` +
              `(an infinite loop?); the check was stopped. A correct but slow module needs a larger --timeout`
            : `${request.impl} did not finish loading within ${limit} (an infinite loop at top level, or a ` +
              'top-level await that never settles?); the check was stopped',
        };
      } else if (!finished) {
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`;
        error = {
          kind: 'crash',
          kernel,
          location: null,
          message:
            `the process running ${request.impl} ${how} ` +
            `${kernel === null ? 'while loading it' : `while checking ${kernel}`}, before it reported`,
        };
      }
      resolvePromise({ reports, notes, error });
    };
    // 'close' waits for the child's stdout and stderr to be drained, so its
    // output is all forwarded before the report is printed.
    child.on('close', settle);
    child.on('error', (err) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      error = { kind: 'crash', kernel, location: null, message: `could not start ${command.command}: ${err.message}` };
      resolvePromise({ reports, notes, error });
    });
  });
}
