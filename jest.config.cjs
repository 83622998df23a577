/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The heaviest tests (a training run, the docs type-check, the large-shape
  // tier agreement) take 3–4 s alone; on 2 shared cores under load that
  // crossed jest's 5 s default once. Timeouts guard against hangs here,
  // they do not measure speed.
  testTimeout: 30_000,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Builds dist/ when stale: the CLI tests spawn the real bin.
  globalSetup: '<rootDir>/test/global-setup.cjs',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  // Sources import with '.js' (as Node ESM requires); jest resolves the .ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  collectCoverageFrom: ['src/**/*.ts', '!src/**/index.ts', '!src/cli/**'],
  // npm test collects coverage: the summary prints, and fewer than 95% of
  // src/ lines covered fails the run. The full report is in coverage/.
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 95 } },
};
