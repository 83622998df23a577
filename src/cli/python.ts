/**
 * Calling a numpy module's functions synchronously from the checker: one
 * long-lived python3 process runs python/handgrad_check.py, which imports the
 * module and answers one JSON line per call. The pipes belong to a worker
 * thread; the checker's thread waits for each answer with Atomics.wait, so
 * checkKernel (synchronous, thousands of forward calls for the finite
 * differences) calls a Python function like any other kernel function.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SourceLocation } from '../gradcheck/index.js';
import { Matrix, Tensor3 } from '../linalg/index.js';
import type { PythonWorkerData, PythonWorkerMessage } from './python-worker.js';

/** The driver script: python/ at the package root (dist/cjs/cli/ → three up; src/cli/ → two up). */
export function pythonDriverPath(): string {
  const candidates = [resolve(__dirname, '..', '..', '..', 'python'), resolve(__dirname, '..', '..', 'python')];
  const dir = candidates.find((d) => existsSync(join(d, 'handgrad_check.py'))) ?? (candidates[0] as string);
  return join(dir, 'handgrad_check.py');
}

/** The Python to run: $HANDGRAD_PYTHON, else `python3`. */
export function pythonCommand(): string {
  const env = process.env.HANDGRAD_PYTHON;
  return env !== undefined && env !== '' ? env : 'python3';
}

/** python3 cannot be started, or has no numpy: the checker cannot check a .py module here. */
export class PythonUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonUnavailableError';
  }
}

/** An exception raised in the module (its Python type is the name), with the user's file:line. */
export class PythonError extends Error {
  /** Where in the user's files it was raised, from the traceback. */
  readonly location: SourceLocation | null;

  constructor(type: string, message: string, location: SourceLocation | null) {
    super(message);
    this.name = type;
    this.location = location;
  }
}

/** A function returned something other than the tuple its signature promises (wrong length, not a tuple). */
export class PythonReturnError extends Error {
  /** The Python function. */
  readonly fn: string;

  constructor(fn: string, detail: string) {
    super(`${fn} ${detail}`);
    this.name = 'PythonReturnError';
    this.fn = fn;
  }
}

/** The python3 process ended (os._exit, a crash) while a call was running. */
export class PythonExitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonExitError';
  }
}

/** A Python object kept on the Python side (a cache), passed back by reference. */
export class PythonRef {
  constructor(readonly id: number) {}
}

/** A matrix sent to Python as a 1-D array (a bias, shape (n,) in numpy). */
export class AsVector {
  constructor(readonly value: unknown) {}
}

interface WireError {
  readonly type: string;
  readonly message: string;
  readonly location: SourceLocation | null;
}

type Encoded =
  | number
  | null
  | boolean
  | string
  | { f8?: string; i8?: string; bool?: boolean; shape?: number[]; ref?: number; bad?: string };

function f8(data: Float64Array, shape: readonly number[]): Encoded {
  return { f8: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'), shape: [...shape] };
}

function isGrid(v: unknown): v is readonly (readonly unknown[])[] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r));
}

/** JS value → wire: Matrix / Tensor3 as float64, N×T grids of ids or flags as int64, caches by reference. */
function encode(v: unknown): Encoded {
  if (v instanceof AsVector) {
    const m = v.value as Matrix;
    return f8(m.data, [m.data.length]);
  }
  if (v instanceof Matrix) return f8(v.data, [v.rows, v.cols]);
  if (v instanceof Tensor3) return f8(v.data, v.dims);
  if (v instanceof PythonRef) return { ref: v.id };
  if (isGrid(v)) {
    const rows = v.length;
    const cols = (v[0] as readonly unknown[]).length;
    const flat = new BigInt64Array(rows * cols);
    const bool = typeof (v[0] as readonly unknown[])[0] === 'boolean';
    for (const [n, row] of v.entries()) {
      for (const [t, x] of (row as readonly unknown[]).entries()) {
        flat[n * cols + t] = BigInt(bool ? Number(x === true) : (x as number));
      }
    }
    return { i8: Buffer.from(flat.buffer).toString('base64'), shape: [rows, cols], ...(bool ? { bool: true } : {}) };
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return (v ?? null) as Encoded;
  throw new TypeError(`PythonBridge: cannot send a ${typeof v} to Python`);
}

/**
 * Wire → JS: arrays as `{ shape, data }` (which the checker reads as a Matrix
 * or Tensor3; a 1-D array is a 1×n row, numpy's bias), 0-d arrays as numbers.
 */
function decode(v: Encoded): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v.ref !== undefined) return new PythonRef(v.ref);
  if (v.f8 !== undefined) {
    const bytes = Buffer.from(v.f8, 'base64');
    const data = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(data.buffer).set(bytes);
    const shape = v.shape ?? [];
    if (shape.length === 0) return data[0];
    return { shape: shape.length === 1 ? [1, shape[0]] : shape, data };
  }
  return `a Python ${v.bad ?? 'value'} that is not an array of numbers`;
}

/** A running python3 with the driver, ready for {@link load} and {@link call}. */
export class PythonBridge {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private ended: PythonWorkerMessage | null = null;

  /** `python3 -V` and numpy's version, from the driver's first line. */
  readonly versions: { readonly python: string; readonly numpy: string; readonly executable: string };

  /**
   * Starts python3 with the driver in `cwd` and waits for its first line.
   *
   * @throws PythonUnavailableError when python3 cannot be started or cannot import numpy.
   */
  constructor(cwd: string, command: string = pythonCommand()) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: PythonWorkerData = { command, args: ['-u', pythonDriverPath()], cwd, flag: this.flag, port: port2 };
    this.worker = new Worker(join(__dirname, 'python-worker.js'), { workerData: data, transferList: [port2] });
    this.worker.unref();
    this.port.unref();
    const first = this.next();
    if (first.kind === 'spawn-error') {
      const why = first.code === 'ENOENT' ? 'was not found' : `could not be started (${first.message})`;
      throw new PythonUnavailableError(
        `checking a .py module needs python3 with numpy; ${command} ${why} ` +
          '(install Python 3, or set HANDGRAD_PYTHON to its path)',
      );
    }
    if (first.kind === 'exit') {
      throw new PythonUnavailableError(
        `checking a .py module needs python3 with numpy; ${command} exited at start with code ${String(first.code)}`,
      );
    }
    const hello = JSON.parse(first.line) as { python: string; numpy: string | null; executable: string; why?: string };
    if (hello.numpy === null) {
      throw new PythonUnavailableError(
        `checking a .py module needs numpy, which ${hello.executable} (Python ${hello.python}) ` +
          `cannot import (${hello.why ?? ''}); ` +
          `install it with: ${command} -m pip install numpy`,
      );
    }
    this.versions = { python: hello.python, numpy: hello.numpy, executable: hello.executable };
  }

  /** The next message of the worker, waiting for it. */
  private next(): PythonWorkerMessage {
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) return got.message as PythonWorkerMessage;
      Atomics.wait(this.flag, 0, 0);
      Atomics.store(this.flag, 0, 0);
    }
  }

  private request(req: Record<string, unknown>): Record<string, unknown> {
    if (this.ended !== null) throw new PythonExitError(this.endedMessage(this.ended));
    this.port.postMessage(JSON.stringify(req));
    const msg = this.next();
    if (msg.kind !== 'line') {
      this.ended = msg;
      throw new PythonExitError(this.endedMessage(msg));
    }
    const answer = JSON.parse(msg.line) as { ok: boolean; error?: WireError } & Record<string, unknown>;
    if (!answer.ok) {
      const e = answer.error as WireError;
      throw new PythonError(e.type, e.message, e.location);
    }
    return answer;
  }

  private endedMessage(msg: PythonWorkerMessage): string {
    if (msg.kind === 'exit') {
      const how = msg.signal !== null ? `was killed by ${msg.signal}` : `exited with code ${String(msg.code)}`;
      return `the python3 process running your module ${how} (os._exit, or a crash in native code?)`;
    }
    return `the python3 process could not be started: ${msg.kind === 'spawn-error' ? msg.message : ''}`;
  }

  /**
   * Imports the module at `path` and returns which of `names` it defines as functions.
   *
   * @throws PythonError when importing raises (a SyntaxError included), with the user's file:line.
   */
  load(path: string, names: readonly string[]): string[] {
    return this.request({ op: 'load', path, names }).defined as string[];
  }

  /**
   * Calls `fn(*args)` and names its results: `returns` lists the tuple's
   * elements (one name: the value itself), `refs` those kept in Python
   * (caches) and given back as {@link PythonRef}s.
   *
   * @throws PythonError when the function raises.
   * @throws PythonReturnError when it returns another number of values, or not a tuple.
   */
  call(
    fn: string,
    args: readonly unknown[],
    returns: readonly string[],
    refs: readonly string[],
  ): Record<string, unknown> {
    const answer = this.request({ op: 'call', fn, args: args.map(encode), returns, refs });
    if (typeof answer.shape_error === 'string') throw new PythonReturnError(fn, answer.shape_error);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(answer.result as Record<string, Encoded>)) out[k] = decode(v);
    return out;
  }

  /**
   * The centered differences of L = Σ_k Σ result[k] ⊙ upstream[k] for
   * `fn(*args)`, at each of `indices` of argument `perturb` (flat,
   * row-major), computed in Python in one round trip.
   *
   * @throws PythonError when the function raises.
   */
  centeredDifferences(
    fn: string,
    args: readonly unknown[],
    perturb: number,
    indices: readonly number[],
    eps: number,
    returns: readonly string[],
    upstream: Readonly<Record<string, unknown>>,
  ): Float64Array {
    const up: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(upstream)) up[k] = encode(v);
    const answer = this.request({ op: 'fd', fn, args: args.map(encode), perturb, indices, eps, returns, upstream: up });
    const bytes = Buffer.from(answer.values as string, 'base64');
    const values = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(values.buffer).set(bytes);
    return values;
  }

  /** Lets python3 end (its stdin closes) and stops the worker. */
  close(): void {
    this.port.postMessage(null);
  }
}
