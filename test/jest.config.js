const path = require('node:path');
// NestJS 12 ships ESM only; jest on Node 20 runs CommonJS, so swc transforms those packages too.
const transform = { '^.+\\.(t|j)s$': ['@swc/jest'] };
const transformIgnorePatterns = [
  '/node_modules/(?!(@nestjs|uid|path-to-regexp|@electric-sql|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@octokit)/)',
];
// ESM only, with no `require` export condition: point jest at its Node build, which swc then transforms.
const moduleNameMapper = { '^@octokit/webhooks-methods$': '<rootDir>/node_modules/@octokit/webhooks-methods/dist-node/index.js' };
const common = {
  rootDir: path.resolve(__dirname, '..'),
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
};

module.exports = {
  maxWorkers: 2,
  // Integration suites boot the app and run real cycles; unit tests finish far below this.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/utils/global-setup.ts',
      globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
      setupFiles: ['<rootDir>/test/utils/setup-env.ts'],
    },
  ],
};
