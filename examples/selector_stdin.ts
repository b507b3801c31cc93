/**
 * The seed's selector program, ported: a `DefaultSelector` watches stdin
 * for `EVENT_READ`, and each time it is readable the callback kept in the
 * key's `data` reads one line and prints it as Python's `%r` would:
 * `Got input from stdin: 'hello\n'`. EOF (Ctrl-D, or the end of a pipe)
 * ends the program cleanly (the seed's loop would spin on `''` forever).
 *
 * stdin is a raw Deno reader; `streamReaderFor(Deno.stdin)` is the
 * `StreamReader` the selector fills from it, so the callback gets
 * `readline()` as Python's `sys.stdin` has it.
 *
 *   deno run examples/selector_stdin.ts              # type lines, Ctrl-D ends
 *   printf 'hello\nworld\n' | deno run examples/selector_stdin.ts
 */
import { DefaultSelector, EVENT_READ, run, type StreamReader, streamReaderFor } from "../mod.ts";

const decoder = new TextDecoder();

/** Read one line; false at EOF. */
async function read(fh: StreamReader): Promise<boolean> {
  const line = decoder.decode(await fh.readline());
  if (line === "") return false;
  console.log(`Got input from stdin: ${pyRepr(line)}`);
  return true;
}

/** Python's `repr()` of a str. */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      out += "\\x" + code.toString(16).padStart(2, "0");
    } else out += ch;
  }
  return out + quote;
}

// The selector needs no loop, but a StreamReader's reads wait on loop
// futures, so the program runs as the main task of run().
await run(async () => {
  // Create the default selector, and register the read function for the
  // READ event on stdin.
  const selector = new DefaultSelector();
  selector.register(streamReaderFor(Deno.stdin), EVENT_READ, read);
  let open = true;
  while (open) {
    for (const [key] of await selector.select()) {
      // The data attribute holds the read function; call it with the file object.
      const callback = key.data as typeof read;
      open = await callback(key.fileobj as StreamReader);
    }
  }
  selector.close();
});
