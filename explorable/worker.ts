/**
 * The page's Web Worker (started from a Blob URL, so it works from a file
 * URL): checks a pasted module ("check my kernel"), or the library's own
 * kernels of one cell (the live gradient check), off the page's thread. The
 * page terminates it when it passes the time limit or a newer request comes.
 */
import { buildJsonReport } from '../src/cli/check-report.js';
import { checkKernel, selectKernelSpecs } from '../src/gradcheck/index.js';
import { checkPasted, type CheckSettings } from './check-pasted.js';

type Request =
  | { readonly type: 'pasted'; readonly source: string; readonly settings: CheckSettings }
  | { readonly type: 'library'; readonly pattern: string; readonly settings: CheckSettings };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage: (msg: unknown) => void;
};

/** The library's kernels matching `pattern`, checked as `handgrad check --kernel <pattern>` does. */
function checkLibrary(pattern: string, settings: CheckSettings): ReturnType<typeof buildJsonReport> {
  const { sizes, seed, eps, tolerance } = settings;
  const reports = selectKernelSpecs([pattern]).map((spec) => checkKernel(spec, { sizes, seed, eps, tolerance }));
  return buildJsonReport(reports, null, settings);
}

scope.onmessage = (e) => {
  const req = e.data;
  try {
    if (req.type === 'library') {
      scope.postMessage({ type: 'done', report: checkLibrary(req.pattern, req.settings), notes: [] });
      return;
    }
    const result = checkPasted(req.source, req.settings, (kernel) => scope.postMessage({ type: 'phase', kernel }));
    scope.postMessage({ type: 'done', ...result });
  } catch (err) {
    scope.postMessage({ type: 'crash', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
