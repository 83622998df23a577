/**
 * Every file the CLI writes goes through {@link writeFileAtomic}: the bytes go
 * to a temporary file in the target's folder (`.name.tmp-<pid>-<random>`),
 * are fsync'd, and the temporary file is renamed over the target. A rename
 * within one folder is atomic, so a reader (or a crash, or Ctrl-C) sees the
 * old file or the new one, never a truncated mix. On any error or interrupt
 * the temporary file is removed and the target is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Interrupted, onEmergencyCleanup, throwIfInterrupted } from './interrupt.js';
import { UsageError } from './usage.js';

/** Bytes per write call; between chunks a pending Ctrl-C is honoured. */
const CHUNK = 1 << 20;

/**
 * Test-only: `HANDGRAD_TEST_PAUSE_IN_WRITE=<ms>` pauses that long after the
 * first half of the bytes is in the temporary file, so a test can send a
 * signal in the middle of a write. Not for users.
 */
function testPauseMs(): number {
  const v = Number(process.env.HANDGRAD_TEST_PAUSE_IN_WRITE);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** The temporary name used for `path`: hidden, in the same folder, unique to this process and call. */
export function temporaryPathFor(path: string): string {
  const target = resolve(path);
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (or never created): nothing to clean.
  }
}

/** Flushes the folder entry of the rename too; some file systems refuse it, which costs nothing but durability. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: the rename itself is already atomic.
  }
}

/**
 * Writes `data` to `path` atomically (see the module comment). An existing
 * target keeps its permission bits.
 *
 * @throws Interrupted when a signal arrives before the rename (the target is untouched);
 *   the file system's error otherwise (the temporary file is removed either way).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (isFolder(path)) {
    throw Object.assign(new Error(`EISDIR: ${path} is a folder`), { code: 'EISDIR' });
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = temporaryPathFor(path);
  const unregister = onEmergencyCleanup(() => removeQuietly(temp));
  let handle: FileHandle | undefined;
  try {
    let mode = 0o666;
    try {
      mode = statSync(path).mode & 0o7777;
    } catch {
      // No target yet: the default mode, less the umask.
    }
    handle = await open(temp, 'wx', mode);
    const pause = testPauseMs();
    let offset = 0;
    while (offset < bytes.length) {
      const length = Math.min(pause > 0 && offset === 0 ? Math.ceil(bytes.length / 2) : CHUNK, bytes.length - offset);
      const { bytesWritten } = await handle.write(bytes, offset, length, offset);
      offset += bytesWritten;
      if (pause > 0 && offset < bytes.length && offset === bytesWritten) {
        // Woken early by a signal, so a test need not wait out the whole pause.
        for (const end = performance.now() + pause; performance.now() < end; ) {
          await new Promise((r) => setTimeout(r, 10));
          throwIfInterrupted();
        }
      }
      throwIfInterrupted();
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    throwIfInterrupted();
    renameSync(temp, path);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    removeQuietly(temp);
    throw err;
  } finally {
    unregister();
  }
  syncFolder(dirname(resolve(path)));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && REASONS[code] !== undefined ? `${REASONS[code]} (${code})` : (err as Error).message;
}

/**
 * Refuses, before any work, an output the run could not write: a folder, a
 * path whose folder is missing or not writable. The same checks happen again
 * when the file is written; this one saves a long run from failing at its end.
 *
 * @throws UsageError naming the option and the path.
 */
export function checkOutputPath(option: string, path: string | undefined): void {
  if (path === undefined) return;
  const folder = dirname(resolve(path));
  try {
    if (isFolder(path)) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${option} ${path} cannot be written: ${reasonOf(err)}`);
  }
}

/**
 * {@link writeFileAtomic}, with a file-system error turned into a one-line
 * {@link UsageError} naming the path the user gave (not the temporary file).
 */
export async function writeOrFail(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    throw new UsageError(`cannot write ${path}: ${reasonOf(err)}; it is unchanged`);
  }
}
