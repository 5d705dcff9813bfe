// ESM + TypeScript through ts-jest (TypeScript 5.9: TypeScript 7 has no JS API for ts-jest).
// Type checking is `npm run typecheck`; here ts-jest only transpiles, which keeps the suite fast.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  reporters: ['default', '<rootDir>/test/summary-reporter.mjs'],
  collectCoverageFrom: ['lib/**/*.ts', 'functions/**/*.ts'],
  coverageThreshold: { global: { lines: 90 } },
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  testTimeout: 120000,
};
