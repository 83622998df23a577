/**
 * The Web Worker of "check my kernel" (started from a Blob URL, so it works
 * from a file URL): checks the pasted module and posts the report. The page
 * terminates it when it passes the time limit.
 */
import { checkPasted, type CheckSettings } from './check-pasted.js';

interface Request {
  readonly source: string;
  readonly settings: CheckSettings;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage: (msg: unknown) => void;
};

scope.onmessage = (e) => {
  try {
    const result = checkPasted(e.data.source, e.data.settings, (kernel) =>
      scope.postMessage({ type: 'phase', kernel }),
    );
    scope.postMessage({ type: 'done', ...result });
  } catch (err) {
    scope.postMessage({ type: 'crash', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
