// The pipe transports of a child (loop.subprocessExec), at their edges: the
// behaviour cases of CPython's test_unix_events.py UnixWritePipeTransportTests
// and UnixReadPipeTransportTests that a real pipe can show (closed by peer,
// write after close, abort, write_eof with and without pending data, close
// on EOF, pause/resume on paused and closed pipes). CPython drives mocked
// file descriptors; here real children do, so each test waits for events
// rather than stepping the loop by hand. Real clock.
import { assert, assertEquals } from "./_assert.ts";
import {
  BrokenPipeError,
  type Future,
  getRunningLoop,
  type ReadTransport,
  run,
  sleep,
  SubprocessProtocol,
  type SubprocessTransport,
  type WriteTransport,
} from "../mod.ts";

const BIG = 1024 * 1024; // more than a pipe holds: stays in the transport's buffer

/** Records the calls it gets, one line each; `done` settles at connectionLost. */
class Recorder extends SubprocessProtocol {
  log: string[] = [];
  bytes = 0;
  done: Future<void> = getRunningLoop().createFuture();
  exited: Future<void> = getRunningLoop().createFuture();
  override connectionMade() {
    this.log.push("made");
  }
  override pipeDataReceived(fd: number, data: Uint8Array) {
    this.bytes += data.length;
    this.log.push(`data ${fd}`);
  }
  override pipeConnectionLost(fd: number, exc: unknown) {
    this.log.push(`lost ${fd} ${exc === null ? "null" : (exc as Error).name}`);
  }
  override processExited() {
    this.log.push("exited");
    this.exited.setResult();
  }
  override connectionLost(exc: unknown) {
    this.log.push(`connectionLost ${exc}`);
    this.done.setResult();
  }
}

async function child(
  script: string,
  options: { stdout?: null } = {},
): Promise<[SubprocessTransport, Recorder]> {
  return await getRunningLoop().subprocessExec(() => new Recorder(), "sh", "-c", script, {
    stderr: null,
    stdout: options.stdout,
  });
}

const stdinOf = (t: SubprocessTransport) => t.getPipeTransport(0) as WriteTransport;
const stdoutOf = (t: SubprocessTransport) => t.getPipeTransport(1) as ReadTransport;
/** The calls, without the data ones (their number depends on the pipe). */
const calls = (p: Recorder) => p.log.filter((l) => !l.startsWith("data"));

Deno.test("write pipe closed by peer with nothing buffered: closing, lost without error (test__read_ready)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("exit 0", { stdout: null });
    const stdin = stdinOf(transport);
    assert(!stdin.isClosing());
    await protocol.exited;
    assert(stdin.isClosing());
    await protocol.done;
    assertEquals(calls(protocol).sort(), ["connectionLost null", "exited", "lost 0 null", "made"]);
    assertEquals(protocol.log.at(-1), "connectionLost null");
    transport.close();
  });
});

Deno.test("write pipe closed by peer with data buffered: lost to BrokenPipeError; later writes are dropped (test_write_close)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("sleep 0.05", { stdout: null });
    const stdin = stdinOf(transport);
    stdin.write(new Uint8Array(BIG));
    await protocol.done;
    assert(calls(protocol).includes(`lost 0 ${BrokenPipeError.name}`));
    assert(stdin.isClosing());
    stdin.write(new Uint8Array(10));
    stdin.write(new Uint8Array(10));
    assertEquals(stdin.getWriteBufferSize(), 0);
    transport.close();
  });
});

Deno.test("abort() of a write pipe drops the buffer at once; lost without error (test_abort)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("sleep 10", { stdout: null });
    const stdin = stdinOf(transport);
    stdin.write(new Uint8Array(BIG));
    assert(stdin.getWriteBufferSize() > 0);
    stdin.abort();
    assert(stdin.isClosing());
    assertEquals(stdin.getWriteBufferSize(), 0);
    transport.kill();
    await protocol.done;
    assert(calls(protocol).includes("lost 0 null"));
    transport.close();
  });
});

Deno.test("writeEof() of a write pipe closes it: at once when empty, after the data when pending (test_write_eof, test_write_eof_pending)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("cat");
    const stdin = stdinOf(transport);
    assert(stdin.canWriteEof());
    stdin.write(new Uint8Array(BIG));
    stdin.writeEof();
    assert(stdin.isClosing());
    stdin.close(); // closing twice does not fail (test_close)
    await protocol.done;
    assertEquals(protocol.bytes, BIG); // the pending data went out before the close
    const order = calls(protocol);
    assertEquals(order[0], "made");
    assert(order.indexOf("lost 0 null") < order.indexOf("lost 1 null"));
    assertEquals(order.at(-1), "connectionLost null");

    const [empty, emptyProtocol] = await child("cat");
    stdinOf(empty).writeEof();
    await emptyProtocol.done;
    assertEquals(emptyProtocol.bytes, 0);
    transport.close();
    empty.close();
  });
});

Deno.test("read pipe: data, then EOF closes it and it is lost without error (test__read_ready_eof)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("echo hi");
    await protocol.done;
    const fd1 = protocol.log.filter((l) => l.endsWith(" 1") || l.startsWith("lost 1"));
    assertEquals(fd1, ["data 1", "lost 1 null"]);
    assert(stdoutOf(transport).isClosing());
    transport.close();
  });
});

Deno.test("read pipe: pauseReading holds the data until resumeReading; twice is harmless (test_pause_reading, test_resume_reading)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("echo hi");
    const stdout = stdoutOf(transport);
    stdout.pauseReading();
    stdout.pauseReading(); // test_pause_reading_on_paused_pipe
    assert(!stdout.isReading());
    await protocol.exited;
    await sleep(0.05);
    assertEquals(protocol.bytes, 0);
    stdout.resumeReading();
    stdout.resumeReading(); // not paused: does nothing (test_resume_reading_on_paused_pipe)
    await protocol.done;
    assertEquals(protocol.bytes, 3);
    transport.close();
  });
});

Deno.test("read pipe: pauseReading and resumeReading on a closed pipe do nothing (test_pause_reading_on_closed_pipe)", async () => {
  await run(async () => {
    const [transport, protocol] = await child("sleep 10");
    const stdout = stdoutOf(transport);
    stdout.close();
    stdout.pauseReading();
    stdout.resumeReading();
    assert(stdout.isClosing() && !stdout.isReading());
    transport.close(); // kills the child
    await protocol.done;
    assert(calls(protocol).includes("lost 1 null"));
    assertEquals(transport.getReturncode(), -9);
  });
});

Deno.test("a child's stdout is read by its resource id into one slab: small chunks share a buffer", async () => {
  // Through the stream's BYOB reader instead, each small chunk would be a
  // copy of its own (see PipeTransport). `cat` echoes each piece only once
  // written, and the second is written after the first came back: two reads.
  await run(async () => {
    const loop = getRunningLoop();
    const chunks: Uint8Array[] = [];
    let arrived = loop.createFuture<void>();
    const done = loop.createFuture<void>();
    class Collector extends SubprocessProtocol {
      override pipeDataReceived(_fd: number, data: Uint8Array) {
        chunks.push(data);
        arrived.setResult();
      }
      override connectionLost() {
        done.setResult();
      }
    }
    const [transport] = await loop.subprocessExec(() => new Collector(), "cat", { stderr: null });
    const stdin = stdinOf(transport);
    for (const piece of ["ab", "cd"]) {
      arrived = loop.createFuture<void>();
      stdin.write(new TextEncoder().encode(piece));
      await arrived;
    }
    stdin.close();
    await done;
    transport.close();
    assertEquals(chunks.map((c) => new TextDecoder().decode(c)), ["ab", "cd"]);
    assert(chunks[0].buffer === chunks[1].buffer, "two buffers: not read into the slab");
  });
});
