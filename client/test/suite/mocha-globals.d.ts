// The few mocha TDD globals the suites use (mocha itself is installed into .tools/, not node_modules).
declare function suite(title: string, body: () => void): void;
declare function test(title: string, body: () => Promise<void> | void): void;
declare function suiteSetup(body: () => Promise<void> | void): void;
declare function suiteTeardown(body: () => Promise<void> | void): void;
