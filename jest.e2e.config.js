import base from './jest.config.js';

/** Browser tests: headless Chromium (Debian's `chromium`) driven by playwright-core. */
export default {
  ...base,
  testMatch: ['**/test/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 60000,
  maxWorkers: 1,
  // Already inherited from base; spelled out so the e2e run visibly gets the mail sink too.
  globalSetup: '<rootDir>/test/helpers/mail-sink-global.ts',
  globalTeardown: '<rootDir>/test/helpers/mail-sink-teardown.ts',
};
