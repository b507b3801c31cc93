// mod.ts is importable by URL, with no import map and no deno.json: from a
// file:// URL in a folder of its own, and over HTTP from a static server.
import { assertEquals } from "./_assert.ts";

const root = new URL("../", import.meta.url);

function sleepersScript(modUrl: string): string {
  return `
import { EventLoop, VirtualClock, sleep, wait } from "${modUrl}";
const loop = new EventLoop({ clock: new VirtualClock() });
async function sleeper(delay: number) {
  await sleep(delay);
  console.log("Finished sleeper with delay: " + delay);
}
await loop.runUntilComplete(() => wait([1, 3, 2].map((d) => loop.createTask(() => sleeper(d)))));
loop.close();
`;
}

async function runScript(
  dir: string,
  extraArgs: string[],
  env: Record<string, string> = {},
): Promise<{ lines: string[]; code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...extraArgs, "main.ts"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  return {
    lines: new TextDecoder().decode(out.stdout).split("\n").filter(Boolean),
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const EXPECTED = [
  "Finished sleeper with delay: 1",
  "Finished sleeper with delay: 2",
  "Finished sleeper with delay: 3",
];

Deno.test("mod.ts imports through a file:// URL from a folder with no deno.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, sleepersScript(new URL("mod.ts", root).href));
    const { lines, code, stderr } = await runScript(dir, []);
    assertEquals(code, 0, stderr);
    assertEquals(lines, EXPECTED);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mod.ts imports over http:// from a local static server", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname.slice(1);
    if (!/^(mod|lib\/[\w]+)\.ts$/.test(path)) return new Response("not found", { status: 404 });
    const body = await Deno.readFile(new URL(path, root));
    return new Response(body, { headers: { "content-type": "application/typescript" } });
  });
  const dir = await Deno.makeTempDir();
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(`${dir}/main.ts`, sleepersScript(`http://${host}/mod.ts`));
    // A fresh DENO_DIR, so the remote modules are really fetched.
    const { lines, code, stderr } = await runScript(dir, [`--allow-import=${host}`], {
      DENO_DIR: `${dir}/deno_dir`,
    });
    assertEquals(code, 0, stderr);
    assertEquals(lines, EXPECTED);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
