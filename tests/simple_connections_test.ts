// examples/simple_connections.ts end to end: a server and two clients as
// separate processes, and the order of what each printed.
import { assert, assertEquals } from "./_assert.ts";

const example = new URL("../examples/simple_connections.ts", import.meta.url).pathname;

function spawn(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", example, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** Lines without their leading time, and the times (which must not go back). */
function parse(text: string): { lines: string[]; times: number[] } {
  const rows = text.trimEnd().split("\n");
  return {
    lines: rows.map((r) => r.replace(/^\d+\.\d /, "")),
    times: rows.map((r) => parseFloat(r)),
  };
}

Deno.test("simple_connections: the server serves two clients in turn, each reads its lines in order", async () => {
  const server = spawn("server", "--port", "0", "--seconds", "6");
  const stdout = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let head = "";
  while (!head.includes("\n")) {
    const { value, done } = await stdout.read();
    if (done) throw new Error("server exited early");
    head += value;
  }
  const port = /Serving on 127\.0\.0\.1:(\d+)/.exec(head)![1];
  const first = spawn("client", "3", "--port", port);
  await new Promise((r) => setTimeout(r, 500));
  const second = spawn("client", "2", "--port", port);
  const [out1, out2] = await Promise.all([first.output(), second.output()]);
  assert(out1.success && out2.success);
  let rest = head.slice(head.indexOf("\n") + 1);
  for (;;) {
    const { value, done } = await stdout.read();
    if (done) break;
    rest += value;
  }
  assert((await server.status).success);

  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const c1 = parse(decode(out1.stdout));
  const c2 = parse(decode(out2.stdout));
  const peer1 = /client: (\('127\.0\.0\.1', \d+\))/.exec(c1.lines[0])![1];
  const peer2 = /client: (\('127\.0\.0\.1', \d+\))/.exec(c2.lines[0])![1];
  assertEquals(c1.lines, [0, 1, 2].map((i) => `Got line:  client: ${peer1}, ${i}`));
  assertEquals(c2.lines, [0, 1].map((i) => `Got line:  client: ${peer2}, ${i}`));
  const s = parse(rest);
  assertEquals(s.lines, [
    `Client connected ${peer1}`,
    `Started sending to ${peer1}`,
    ...[0, 1, 2].map((i) => `client: ${peer1}, ${i}`),
    `Finished sending to ${peer1}`,
    `Client connected ${peer2}`,
    `Started sending to ${peer2}`,
    ...[0, 1].map((i) => `client: ${peer2}, ${i}`),
    `Finished sending to ${peer2}`,
  ]);
  for (const { times } of [c1, c2, s]) {
    assert(times.every((t, i) => i === 0 || t >= times[i - 1]), `times go back: ${times}`);
  }
  // Each client reads one line per second.
  assert(c1.times[2] - c1.times[0] >= 1.9, `client lines too fast: ${c1.times}`);
});
