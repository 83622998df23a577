/**
 * The gradient checker's API: centered finite differences
 * ({@link numericGradient}), the relative errors it reports, the kernel specs
 * (which inputs, outputs and gate layout a kernel has), and
 * {@link checkKernel}, which runs a forward/backward pair against finite
 * differences the way `handgrad check` does.
 *
 * @packageDocumentation
 * @module handgrad/gradcheck
 */
export { numericGradient, DEFAULT_EPS, type NumericGradientOptions, type Outputs, type HasData } from './numeric.js';
export { relError, normRelError, type Values } from './errors.js';
export {
  checkKernel,
  DEFAULT_SIZES,
  DEFAULT_TOLERANCE,
  DEFAULT_SEED,
  type CheckKernelOptions,
  type CheckProgress,
} from './check.js';
export { KernelContractError } from './coerce.js';
export type { KernelSizes, Checkable } from './shapes.js';
export type {
  KernelSpec,
  KernelFunction,
  KernelImplementation,
  NumericGradientRequest,
  InputSpec,
  OutputSpec,
  GateLayout,
  ConstantSpec,
} from './spec.js';
export { registerKernelSpec, builtinKernelSpecs, selectKernelSpecs } from './registry.js';
export { rnnStepSpec, rnnSpec } from './specs/rnn.js';
export { lstmStepSpec, lstmSpec } from './specs/lstm.js';
export { gruStepSpec, gruSpec } from './specs/gru.js';
export type {
  GradcheckJsonReport,
  CheckRunError,
  SourceLocation,
  KernelReport,
  CheckRow,
  Comparison,
  GateBlockReport,
  WorstCoordinate,
  FailureSummary,
  SizesReport,
  WorstError,
} from './report.js';
export {
  diagnoseKernel,
  MATCH_TOLERANCE,
  type Diagnosis,
  type DiagnosisMatch,
  type DiagnoseCase,
  type HasValues,
} from './mistakes/diagnose.js';
export {
  mistakeCatalog,
  mistakesOf,
  catalogMarkdownTable,
  describeGateOrder,
  KNOWN_GATE_ORDERS,
  type Mistake,
} from './mistakes/catalog.js';
