/**
 * The worker thread of {@link PythonBridge}: owns the python3 process and its
 * pipes, forwards each request line to it, and hands every answer line (or the
 * process's end) back on a MessagePort, waking the checker's thread, which
 * waits on a shared flag (Atomics.wait) so its calls stay synchronous.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { workerData, type MessagePort } from 'node:worker_threads';

/** What the worker is started with. */
export interface PythonWorkerData {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Int32Array over a SharedArrayBuffer: set to 1 and notified after each message. */
  readonly flag: Int32Array;
  readonly port: MessagePort;
}

/** What the worker sends back, one message per event. */
export type PythonWorkerMessage =
  | { readonly kind: 'line'; readonly line: string }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: string | null }
  | { readonly kind: 'spawn-error'; readonly code: string | null; readonly message: string };

const { command, args, cwd, flag, port } = workerData as PythonWorkerData;

function signal(msg: PythonWorkerMessage): void {
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

// stderr is inherited: the module's print() output reaches the checker's stderr directly.
const python = spawn(command, [...args], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
python.on('error', (err: NodeJS.ErrnoException) => {
  signal({ kind: 'spawn-error', code: err.code ?? null, message: err.message });
});
python.stdin.on('error', () => {
  // A python that has exited closes its stdin; its exit is reported below.
});
const lines = createInterface({ input: python.stdout, crlfDelay: Infinity });
lines.on('line', (line) => signal({ kind: 'line', line }));
// 'close' comes after stdout has ended, so every answer line is sent before the exit.
python.on('close', (code, sig) => signal({ kind: 'exit', code, signal: sig }));
port.on('message', (line: string | null) => {
  if (line === null) python.stdin.end();
  else python.stdin.write(`${line}\n`);
});
