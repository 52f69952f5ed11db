import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** @type {import('jest').Config} */
export default {
  ...preset,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Browser tests need Chromium: they run with `npm run test:e2e` (jest.e2e.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
  // One SMTP sink in the parent process, shared by every worker's AuthFlow (test/helpers/mail.ts reads it).
  globalSetup: '<rootDir>/test/helpers/mail-sink-global.ts',
  globalTeardown: '<rootDir>/test/helpers/mail-sink-teardown.ts',
  // Each worker boots its own embedded PostgreSQL; two cores do not profit from more.
  maxWorkers: 2,
};
