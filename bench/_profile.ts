// Summarise a V8 .cpuprofile: self time by function (name, file:line).
//   deno run --cpu-prof --cpu-prof-dir=/tmp/prof -A bench/x.ts
//   deno run --allow-read bench/_profile.ts /tmp/prof/<file>.cpuprofile [top]

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [path, topArg] = Deno.args;
if (path === undefined) throw new Error("usage: _profile.ts <file.cpuprofile> [top]");
const profile: Profile = JSON.parse(await Deno.readTextFile(path));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const file = url.replace(/^file:\/\/.*\/(main\/)?/, "");
  const key = `${functionName || "(anonymous)"}  ${file}${file ? `:${lineNumber + 1}` : ""}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25));
console.log(`total ${(total / 1000).toFixed(1)} ms`);
for (const [key, us] of top) {
  console.log(
    `${(us / 1000).toFixed(1).padStart(9)} ms ${
      (100 * us / total).toFixed(1).padStart(5)
    }%  ${key}`,
  );
}
