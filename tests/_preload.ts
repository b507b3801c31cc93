// Loaded before every test module (deno.json's test task: --preload), so
// that a failed console.assert fails the test: the JSDoc @example blocks
// that `deno test --doc` runs check their results with it, and Deno's own
// console.assert only prints "Assertion failed".
const assertOnConsole = console.assert.bind(console);
console.assert = (condition?: unknown, ...data: unknown[]): void => {
  if (!condition) throw new Error(["Assertion failed", ...data.map(String)].join(": "));
  assertOnConsole(Boolean(condition), ...data);
};
