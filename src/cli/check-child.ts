/**
 * The child process of `handgrad check --impl` (see sandbox.ts): loads the
 * user's module, checks its kernels with checkKernel, and sends the reports to
 * the parent over IPC. Whatever the module does — exit, throw later from a
 * timer, reject a promise nobody awaits, never finish loading — ends up as one
 * `error` message naming what happened and the user's file:line.
 */
import {
  KernelContractError,
  builtinKernelSpecs,
  checkKernel,
  selectKernelSpecs,
  type CheckRunError,
  type KernelSpec,
} from '../gradcheck/index.js';
import {
  ModuleLoadError,
  findUserKernels,
  letHomeworkFindThisPackage,
  loadUserModule,
  type UserKernel,
} from './impl.js';
import { recorder, recording } from './user-kernels.js';
import { isPythonModule, loadPythonModule } from './impl-python.js';
import { PythonBridge, PythonError, PythonReturnError, PythonUnavailableError } from './python.js';
import type { ChildMessage, ChildRequest } from './sandbox.js';
import { UsageError } from './usage.js';
import { formatLocation, syntaxErrorLocation, userLocation } from './where.js';

/** What the replaced process.exit throws, so the call ends the user's code but not the child. */
class ExitCall extends Error {
  readonly code: number | string | null | undefined;

  constructor(code: number | string | null | undefined) {
    super(`process.exit(${code === undefined ? '' : String(code)})`);
    this.name = 'ExitCall';
    this.code = code;
  }
}

const realExit = process.exit.bind(process);
let phase: 'load' | 'check' | 'settle' | 'over' = 'load';
let kernel: string | null = null;
let notes: string[] = [];
/** The python3 running a .py module's functions, started before the time limit begins. */
let python: PythonBridge | null = null;

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

/** Sends the one error of the run and ends the child (the parent derives its exit code from `error.kind`). */
async function fail(error: CheckRunError): Promise<never> {
  // Already ending (an error or the report is on its way, then the exit): a later error changes nothing.
  if (phase === 'over') return new Promise<never>(() => undefined);
  phase = 'over';
  await send({ type: 'error', error, notes });
  return realExit(0);
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0] ?? ''}`;
  return `a non-Error value (${String(err)})`;
}

function locate(err: unknown): CheckRunError['location'] {
  if (err instanceof PythonError) return err.location;
  if (!(err instanceof Error)) return null;
  return userLocation(err.stack) ?? (err instanceof SyntaxError ? syntaxErrorLocation(err.stack) : null);
}

function at(location: CheckRunError['location']): string {
  return location === null ? '' : `, at ${formatLocation(location)}`;
}

function exitError(call: ExitCall): CheckRunError {
  const location = userLocation(call.stack);
  const during = kernel === null ? 'once its kernels had returned' : `while ${kernel} was checked`;
  const when = phase === 'load' ? 'while loading' : during;
  return {
    kind: 'exit',
    kernel,
    location,
    message: `your module called ${call.message} ${when}${at(location)}; a module under check must not end the process`,
  };
}

/** An error thrown outside any kernel call: from a timer, a callback, a promise nobody awaited. */
function asyncError(err: unknown, how: 'an uncaught exception' | 'an unhandled promise rejection'): CheckRunError {
  if (err instanceof ExitCall) return exitError(err);
  const location = locate(err);
  // Which kernel scheduled it is unknown: it surfaces whenever the event loop runs, often during a later kernel.
  const when = phase === 'load' ? 'while loading' : 'outside any kernel call (from a timer, a callback or a promise)';
  const message = `${how} in your module ${when}: ${describe(err)}${at(location)}`;
  return { kind: 'async', kernel: null, location, message };
}

process.exit = ((code?: number | string | null) => {
  throw new ExitCall(code);
}) as typeof process.exit;
process.on('uncaughtException', (err) => void fail(asyncError(err, 'an uncaught exception')));
process.on('unhandledRejection', (err) => void fail(asyncError(err, 'an unhandled promise rejection')));

function kernelError(err: KernelContractError, thrown: { error: unknown; set: boolean }): CheckRunError {
  const message = err.message.split('\n')[0] ?? err.message;
  if (!thrown.set) return { kind: 'contract', kernel, location: null, message };
  if (thrown.error instanceof ExitCall) return exitError(thrown.error);
  if (thrown.error instanceof PythonReturnError) {
    return { kind: 'contract', kernel, location: null, message: `${kernel ?? ''}: your ${thrown.error.message}` };
  }
  const location = locate(thrown.error);
  return { kind: 'threw', kernel, location, message: `${message}${at(location)}` };
}

async function load(request: ChildRequest): Promise<UserKernel[]> {
  if (python !== null) {
    const found = loadPythonModule(request, python);
    notes = found.notes;
    return found.kernels;
  }
  let specs: KernelSpec[];
  try {
    specs = request.kernels === null ? builtinKernelSpecs() : selectKernelSpecs(request.kernels);
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message.replace(/^selectKernelSpecs: /, '')}`);
  }
  const exports = await loadUserModule(request.impl, request.cwd);
  const found = findUserKernels(request.impl, exports, specs, builtinKernelSpecs(), request.kernels !== null);
  notes = found.notes;
  return found.kernels;
}

/**
 * Checks each kernel in turn, sending its report as soon as it is done. The
 * report already holds the diagnosis of its failing rows (checkKernel compares
 * them with the catalog of classic mistakes, see gradcheck/mistakes/).
 */
async function check(request: ChildRequest, kernels: readonly UserKernel[]): Promise<void> {
  const { sizes, seed, eps, tolerance, samples } = request.settings;
  let lastProgress = 0;
  for (const job of kernels) {
    kernel = job.spec.name;
    await send({ type: 'phase', kernel });
    const thrown = { error: undefined as unknown, set: false };
    try {
      const report = checkKernel(job.spec, {
        sizes,
        seed,
        eps,
        tolerance,
        ...(samples === null ? {} : { samples }),
        implementation: recording(job.implementation, thrown),
        ...(job.numericGradient === undefined ? {} : { numericGradient: recorder(thrown)(job.numericGradient) }),
        onProgress: (progress) => {
          const now = Date.now();
          if (now - lastProgress < 100) return;
          lastProgress = now;
          // Not awaited: progress may be dropped, reports may not.
          void send({ type: 'progress', progress });
        },
      });
      await send({ type: 'report', report });
    } catch (err) {
      if (err instanceof KernelContractError) return fail(kernelError(err, thrown));
      throw err;
    }
  }
}

/**
 * After the checks, lets the user's pending timers and promises run (an
 * error they throw fails the run) until the event loop is empty, or for at
 * most `graceMs` when the module keeps it busy (an interval, a server).
 */
function settle(graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    phase = 'settle';
    kernel = null;
    const done = (): void => {
      process.off('beforeExit', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, graceMs);
    timer.unref();
    process.on('beforeExit', done);
  });
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[process.argv.length - 1] as string) as ChildRequest;
  letHomeworkFindThisPackage();
  // An import that waits forever on a promise leaves nothing in the event
  // loop: Node would exit silently. Caught here instead.
  const neverLoaded = (): void => {
    if (phase !== 'load') return;
    void fail({
      kind: 'never-loaded',
      kernel: null,
      location: null,
      message: `${request.impl} never finished loading: it awaits, at top level, a promise that never settles`,
    });
  };
  process.on('beforeExit', neverLoaded);
  // python3 and numpy start before the user's time limit does, as Node and the checker have.
  if (isPythonModule(request.impl)) {
    try {
      python = new PythonBridge(request.cwd);
    } catch (err) {
      if (err instanceof PythonUnavailableError) {
        return fail({ kind: 'usage', kernel: null, location: null, message: err.message });
      }
      throw err;
    }
  }
  await send({ type: 'phase', kernel: null });
  let kernels: UserKernel[];
  try {
    kernels = await load(request);
  } catch (err) {
    if (err instanceof UsageError) return fail({ kind: 'usage', kernel: null, location: null, message: err.message });
    if (err instanceof ModuleLoadError) {
      if (err.cause instanceof ExitCall) return fail(exitError(err.cause));
      const location = locate(err.cause);
      return fail({ kind: 'load', kernel: null, location, message: `${err.message}${at(location)}` });
    }
    throw err;
  }
  process.off('beforeExit', neverLoaded);
  phase = 'check';
  await check(request, kernels);
  await settle(200);
  // An error from a timer during the wait has already been sent.
  if ((phase as typeof phase | 'over') === 'over') return;
  phase = 'over';
  await send({ type: 'done', notes });
  realExit(0);
}

main().catch((err: unknown) => {
  // A fault of the checker itself, not of the user's module.
  void fail({ kind: 'crash', kernel, location: null, message: `internal error of the checker: ${describe(err)}` });
});
