// Two projects: `unit` (pure logic next to the code) and `e2e` (real Postgres, Redis, Docker, kubectl in test/).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper: {
    '^@flotilla/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@flotilla/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps}/*/src/**/*.spec.ts'] },
    // e2e: starting the API alone takes tens of seconds on a loaded machine (bounded at 60 s in test/support).
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.ts'], testTimeout: 120000 },
  ],
};
