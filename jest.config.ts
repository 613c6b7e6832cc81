import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // Browser suites need Debian's chromium: `npm run test:browser` runs them (CI does).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/browser/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } }],
  },
  moduleNameMapper: {
    '^rx-jsonrpc$': '<rootDir>/lib/index.ts',
    '^rx-jsonrpc/node$': '<rootDir>/lib/node/index.ts',
  },
  collectCoverageFrom: ['lib/**/*.ts'],
  testTimeout: 10_000,
};

export default config;
