/**
 * The shape of a check's results: what {@link checkKernel} returns and, one
 * level up, exactly what `handgrad check --json` prints. Every field is plain
 * JSON (no NaN, no Infinity, no typed arrays), so a report can be stored,
 * diffed and read by other tools; docs/gradient-checking-cli.md describes it.
 */

/** One output or gradient a mistake explains. */
export interface DiagnosisMatch {
  /** The gradient's name (`"dWx"`) or the output's (`"h"`). */
  readonly name: string;
  /** A gradient, or a forward output. */
  readonly kind: 'gradient' | 'output';
  /** The gate blocks it explains, for a gate-stacked tensor; null when it explains the whole tensor. */
  readonly gates: string[] | null;
}

/** A catalog mistake found in a user's kernel. */
export interface Diagnosis {
  /** The catalog entry's id, e.g. `"lstm-missing-dcnext"`. */
  readonly id: string;
  /** One line for the student: what matches which mistake, and the formula it breaks. */
  readonly sentence: string;
  /** The formula the mistake breaks. */
  readonly formula: string;
  /** Where the docs derive it, e.g. `"docs/lstm.md#backward-the-carried-cell-gradient"`. */
  readonly anchor: string;
  /** The names of the outputs and gradients it explains, in report order. */
  readonly gradients: string[];
  /** The same, with the gate blocks each one matches. */
  readonly matches: DiagnosisMatch[];
}

/** Where one tensor is worst: its multi-index and the two values there. */
export interface WorstCoordinate {
  /** `[row, col]` for a matrix, `[n, t, d]` for an N×T×D tensor. */
  readonly index: number[];
  /** The value being checked there (null when it is NaN or ±Infinity). */
  readonly actual: number | null;
  /** The value it should be there (null when it is NaN or ±Infinity). */
  readonly expected: number | null;
}

/**
 * One tensor scored against another. Errors are in [0, 1]; a non-finite
 * value in the checked tensor counts as fully wrong (error 1).
 */
export interface Comparison {
  /** cs231n max relative error, max |a − e| / max(1e-8, |a| + |e|). */
  readonly relError: number;
  /** ‖a − e‖ / (‖a‖ + ‖e‖): the error compared with the tolerance. */
  readonly normRelError: number;
  /** How many coordinates were compared. */
  readonly coordinates: number;
  /** How many checked values were NaN or ±Infinity. */
  readonly nonFinite: number;
  /** The coordinate with the largest |a − e|. */
  readonly worst: WorstCoordinate;
  /** normRelError ≤ tolerance and no non-finite values. */
  readonly ok: boolean;
}

/** One gate block of a gate-stacked gradient, scored on its own. */
export interface GateBlockReport {
  /** The gate's name, e.g. `"o"`. */
  readonly gate: string;
  /** The block's columns, [start, end). */
  readonly columns: [number, number];
  /** Against finite differences (null when not checked, or no sampled coordinate fell in the block). */
  readonly numeric: Comparison | null;
  /** Against the library's reference (user implementations only). */
  readonly reference: Comparison | null;
  /** Every comparison made passed. */
  readonly ok: boolean;
}

/** One row of a report: a gradient, or (for a user's module) a forward output. */
export interface CheckRow {
  /** `"dWx"`, or an output's name such as `"h"`. */
  readonly name: string;
  /** `"gradient"` of an input; `"output"` of the forward (compared with the library only). */
  readonly kind: 'gradient' | 'output';
  /** The input it is the gradient of (`"Wx"`), or the output's own name. */
  readonly of: string;
  /** The concrete shape, e.g. `[10, 16]`. */
  readonly shape: number[];
  /** The symbolic shape, e.g. `"D×4H"`. */
  readonly shapeExpr: string;
  /**
   * Analytic gradient against centered finite differences
   * (null for outputs, or gradients of a forward-only module).
   */
  readonly numeric: Comparison | null;
  /** Against the library's own result on the same inputs (user implementations only). */
  readonly reference: Comparison | null;
  /** Per-gate-block scores for gate-stacked gradients, otherwise null. */
  readonly gates: GateBlockReport[] | null;
  /** Every comparison made passed. */
  readonly ok: boolean;
}

/** Where a kernel first goes wrong, in words and numbers. */
export interface FailureSummary {
  /** The kernel, e.g. `"lstm-step"`. */
  readonly kernel: string;
  /** The first failing row's name, e.g. `"dWx"`. */
  readonly name: string;
  /** Whether that row is a gradient or a forward output. */
  readonly kind: 'gradient' | 'output';
  /** What it disagreed with first. */
  readonly against: 'finite differences' | 'library';
  /** Gate blocks that fail (empty when the tensor is not gate-stacked). */
  readonly gates: string[];
  /** The worst coordinate's index. */
  readonly worst: number[];
  /** One line for people, e.g. `lstm-step dWx (o-gate block), worst at [3, 17]`. */
  readonly message: string;
}

/** The sizes a kernel was checked at. */
export interface SizesReport {
  /** Batch size. */
  readonly N: number;
  /** Time steps. */
  readonly T: number;
  /** Input features. */
  readonly D: number;
  /** Hidden units. */
  readonly H: number;
}

/** The result of checking one kernel. */
export interface KernelReport {
  /** The kernel, e.g. `"lstm"`. */
  readonly kernel: string;
  /** Whose code was checked. */
  readonly implementation: 'library' | 'user';
  /** The case it was checked at. */
  readonly sizes: SizesReport;
  /** Seed of the inputs, upstream gradients and sampled coordinates. */
  readonly seed: number;
  /** Finite-difference step. */
  readonly eps: number;
  /** Largest normRelError that passes. */
  readonly tolerance: number;
  /** Coordinates sampled per tensor, or null when every coordinate was checked. */
  readonly samples: number | null;
  /** Every row passed. */
  readonly ok: boolean;
  /** One row per output (user modules) and per gradient. */
  readonly rows: CheckRow[];
  /** The first failing row, or null. */
  readonly firstFailure: FailureSummary | null;
  /**
   * Classic mistakes the failing rows match (user implementations only),
   * each with the rows it explains; empty when none matches or all pass.
   */
  readonly diagnoses: Diagnosis[];
  /** Remarks, e.g. that a module exports a forward without its backward. */
  readonly notes: string[];
  /** Wall time of the check. */
  readonly milliseconds: number;
}

/** The worst error of a run and where it was. */
export interface WorstError {
  /** The kernel. */
  readonly kernel: string;
  /** The row (gradient or output). */
  readonly name: string;
  /** Its cs231n max relative error. */
  readonly relError: number;
  /** Its norm-relative error. */
  readonly normRelError: number;
}

/** A line of the user's code, where an error was thrown or process.exit was called. */
export interface SourceLocation {
  /** The file, relative to the working directory (absolute only when no relative path exists). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/**
 * Why a run stopped before every requested check ran. `usage` exits 2 (the
 * command was called wrong); every other kind exits 1 (the checked code
 * misbehaved).
 */
export interface CheckRunError {
  /**
   * `usage` an option or the module path is wrong; `load` the module threw or failed while loading;
   * `never-loaded` its loading never finished; `threw` a kernel threw; `contract` a kernel returned
   * something without the expected keys, shapes or numbers; `exit` the module called process.exit;
   * `async` an uncaught exception or unhandled rejection outside a kernel call; `timeout` the run
   * passed the time limit and was stopped; `crash` the process running the module died otherwise.
   */
  readonly kind: 'usage' | 'load' | 'never-loaded' | 'threw' | 'contract' | 'exit' | 'async' | 'timeout' | 'crash';
  /** One line for people, as printed on stderr. */
  readonly message: string;
  /** The kernel being checked when it happened, or null (loading, options). */
  readonly kernel: string | null;
  /** Where in the user's code, when known. */
  readonly location: SourceLocation | null;
}

/**
 * Exactly what `handgrad check --json` prints on stdout: one object.
 * docs/gradient-checking-cli.md documents it field by field, and a test
 * validates real output against this interface.
 */
export interface GradcheckJsonReport {
  /** Always `"handgrad check"`. */
  readonly tool: 'handgrad check';
  /** Version of this shape; bumped on any incompatible change. */
  readonly formatVersion: 1;
  /** Every kernel passed. */
  readonly ok: boolean;
  /** The user module checked (`--impl`, as given), or null for the built-ins. */
  readonly impl: string | null;
  /** The settings of the run. */
  readonly settings: {
    /** The case. */
    readonly sizes: SizesReport;
    /** Seed. */
    readonly seed: number;
    /** Finite-difference step. */
    readonly eps: number;
    /** Tolerance on normRelError. */
    readonly tolerance: number;
    /** Coordinates per tensor, or null for all. */
    readonly samples: number | null;
  };
  /** Rows checked and rows failed, over all kernels. */
  readonly counts: {
    /** How many gradient rows were compared. */
    readonly rows: number;
    /** How many of them failed. */
    readonly failed: number;
  };
  /** The largest error of the run (by normRelError), or null when nothing was compared. */
  readonly worst: WorstError | null;
  /** The first failure of the run, or null. */
  readonly firstFailure: FailureSummary | null;
  /** One report per kernel, in the order they were checked (those finished before an error). */
  readonly kernels: KernelReport[];
  /** Why the run stopped early, or null when every requested check ran; `ok` is false when set. */
  readonly error: CheckRunError | null;
}
