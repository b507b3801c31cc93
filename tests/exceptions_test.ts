// The OSError tree: the classes and their Python names, messages as
// Python's str(), the subclass Python picks for an errno, and toOSError on
// every Deno error class and on real failures (spawn, connect, listen, a
// name lookup, a Unix socket). Expected texts were printed by CPython 3.11.
import { assert, assertEquals } from "./_assert.ts";
import {
  BlockingIOError,
  BrokenPipeError,
  CancelledError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  InterruptedError,
  IsADirectoryError,
  NotADirectoryError,
  OSError,
  PermissionError,
  ProcessLookupError,
  RuntimeError,
  TimeoutError,
} from "../mod.ts";
import { oserrorFromErrno, toOSError } from "../lib/_oserror.ts";

/** The class names from `err` up to Error, as Python's `__mro__` lists them. */
function chain(err: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(err); p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor.name);
  }
  return names;
}

/** The fields a test compares: class, errno, code, strerror, filename, message. */
function fields(err: unknown): unknown[] {
  assert(err instanceof OSError, `not an OSError: ${err}`);
  return [err.name, err.errno, err.code, err.strerror, err.filename, err.message];
}

Deno.test("each OSError subclass sits where Python puts it and is named as there", () => {
  const table: [OSError, string[]][] = [
    [new OSError(), ["OSError", "Error"]],
    [new TimeoutError(), ["TimeoutError", "OSError", "Error"]],
    [new ConnectionError(), ["ConnectionError", "OSError", "Error"]],
    [new BrokenPipeError(), ["BrokenPipeError", "ConnectionError", "OSError", "Error"]],
    [new ConnectionAbortedError(), [
      "ConnectionAbortedError",
      "ConnectionError",
      "OSError",
      "Error",
    ]],
    [new ConnectionRefusedError(), [
      "ConnectionRefusedError",
      "ConnectionError",
      "OSError",
      "Error",
    ]],
    [new ConnectionResetError(), ["ConnectionResetError", "ConnectionError", "OSError", "Error"]],
    [new FileNotFoundError(), ["FileNotFoundError", "OSError", "Error"]],
    [new FileExistsError(), ["FileExistsError", "OSError", "Error"]],
    [new PermissionError(), ["PermissionError", "OSError", "Error"]],
    [new IsADirectoryError(), ["IsADirectoryError", "OSError", "Error"]],
    [new NotADirectoryError(), ["NotADirectoryError", "OSError", "Error"]],
    [new InterruptedError(), ["InterruptedError", "OSError", "Error"]],
    [new BlockingIOError(), ["BlockingIOError", "OSError", "Error"]],
    [new ChildProcessError(), ["ChildProcessError", "OSError", "Error"]],
    [new ProcessLookupError(), ["ProcessLookupError", "OSError", "Error"]],
    [new gaierror(), ["gaierror", "OSError", "Error"]],
  ];
  for (const [err, expected] of table) {
    assertEquals(chain(err), expected);
    assertEquals(err.name, expected[0]);
    assert(err instanceof OSError && err instanceof Error);
    assertEquals(String(err).split(":")[0], expected[0]);
  }
});

Deno.test("OSError's message is Python's str(): [Errno N] strerror, then the filename's repr", () => {
  const cases: [OSError, string][] = [
    [new OSError(111, "Connection refused"), "[Errno 111] Connection refused"],
    [new OSError(2, "x", "it's"), `[Errno 2] x: "it's"`],
    [new OSError(2, "x", `a"b'c`), `[Errno 2] x: 'a"b\\'c'`],
    [new OSError(2, "x", "a\nb\\c\t\x01\x7fé"), "[Errno 2] x: 'a\\nb\\\\c\\t\\x01\\x7fé'"],
    [new OSError(2, "x", ""), "[Errno 2] x: ''"],
    [new gaierror(-3), "[Errno -3] Temporary failure in name resolution"],
    [new OSError("msg"), "msg"],
    [new OSError(), ""],
  ];
  assertEquals(cases.map(([err]) => err.message), cases.map(([, text]) => text));
});

Deno.test("new OSError(errno) fills code and Linux's strerror; the message form has no number", () => {
  assertEquals(fields(new FileNotFoundError(2, undefined, "/no/such")), [
    "FileNotFoundError",
    2,
    "ENOENT",
    "No such file or directory",
    "/no/such",
    "[Errno 2] No such file or directory: '/no/such'",
  ]);
  assertEquals(fields(new gaierror(-2)), [
    "gaierror",
    -2,
    "EAI_NONAME",
    "Name or service not known",
    null,
    "[Errno -2] Name or service not known",
  ]);
  assertEquals(fields(new OSError(200)), [
    "OSError",
    200,
    null,
    "Unknown error 200",
    null,
    "[Errno 200] Unknown error 200",
  ]);
  const cause = new Error("underneath");
  const lost = new ConnectionResetError("Connection lost", { cause });
  assertEquals(fields(lost), ["ConnectionResetError", null, null, null, null, "Connection lost"]);
  assert(lost.cause === cause);
  assert(new OSError(2, "x", null, { cause }).cause === cause);
});

Deno.test("TimeoutError() as asyncio raises it: an OSError without a number, empty message", () => {
  const err = new TimeoutError();
  assertEquals(fields(err), ["TimeoutError", null, null, null, null, ""]);
  assertEquals(new TimeoutError("late").message, "late");
  assertEquals(new TimeoutError(110).message, "[Errno 110] Connection timed out");
});

Deno.test("oserrorFromErrno() picks the subclass Python's OSError(errno, strerror) does", () => {
  // CPython 3.11: type(OSError(n, os.strerror(n))).__name__
  const expected: [number, string][] = [
    [1, "PermissionError"],
    [2, "FileNotFoundError"],
    [3, "ProcessLookupError"],
    [4, "InterruptedError"],
    [5, "OSError"],
    [9, "OSError"],
    [10, "ChildProcessError"],
    [11, "BlockingIOError"],
    [13, "PermissionError"],
    [17, "FileExistsError"],
    [20, "NotADirectoryError"],
    [21, "IsADirectoryError"],
    [22, "OSError"],
    [32, "BrokenPipeError"],
    [98, "OSError"],
    [103, "ConnectionAbortedError"],
    [104, "ConnectionResetError"],
    [108, "BrokenPipeError"],
    [110, "TimeoutError"],
    [111, "ConnectionRefusedError"],
    [113, "OSError"],
    [114, "BlockingIOError"],
    [115, "BlockingIOError"],
    [-2, "OSError"],
  ];
  assertEquals(expected.map(([n]) => [n, oserrorFromErrno(n).name]), expected);
  const err = oserrorFromErrno(2, "gone", "f", { cause: 1 });
  assertEquals(fields(err), ["FileNotFoundError", 2, "ENOENT", "gone", "f", "[Errno 2] gone: 'f'"]);
  assert(err instanceof FileNotFoundError && err.cause === 1);
});

Deno.test("toOSError() maps each Deno error class, taking the errno from its message", () => {
  const E = Deno.errors;
  const cases: [Error, string, number | null][] = [
    [new E.NotFound("No such file or directory (os error 2)"), "FileNotFoundError", 2],
    [new E.PermissionDenied("Permission denied (os error 13)"), "PermissionError", 13],
    [new E.PermissionDenied("Operation not permitted (os error 1)"), "PermissionError", 1],
    [new E.ConnectionRefused("Connection refused (os error 111)"), "ConnectionRefusedError", 111],
    [new E.ConnectionReset("Connection reset by peer (os error 104)"), "ConnectionResetError", 104],
    [
      new E.ConnectionAborted("Software caused connection abort (os error 103)"),
      "ConnectionAbortedError",
      103,
    ],
    [new E.NotConnected("Transport endpoint is not connected (os error 107)"), "OSError", 107],
    [new E.AddrInUse("Address already in use (os error 98)"), "OSError", 98],
    [new E.AddrNotAvailable("Cannot assign requested address (os error 99)"), "OSError", 99],
    [new E.BrokenPipe("Broken pipe (os error 32)"), "BrokenPipeError", 32],
    [new E.AlreadyExists("File exists (os error 17)"), "FileExistsError", 17],
    [new E.TimedOut("Connection timed out (os error 110)"), "TimeoutError", 110],
    [new E.Interrupted("Interrupted system call (os error 4)"), "InterruptedError", 4],
    [new E.WouldBlock("Resource temporarily unavailable (os error 11)"), "BlockingIOError", 11],
    [new E.Busy("Device or resource busy (os error 16)"), "OSError", 16],
    [new E.IsADirectory("Is a directory (os error 21)"), "IsADirectoryError", 21],
    [new E.NotADirectory("Not a directory (os error 20)"), "NotADirectoryError", 20],
    [new E.NetworkUnreachable("Network is unreachable (os error 101)"), "OSError", 101],
    [new E.FilesystemLoop("Too many levels of symbolic links (os error 40)"), "OSError", 40],
    // No errno in the message: the class's own.
    [new E.NotFound("entity not found"), "FileNotFoundError", 2],
    [new E.BadResource("Bad resource ID"), "OSError", 9],
    [new E.TimedOut("timed out"), "TimeoutError", 110],
    // Kinds without an errno.
    [new E.InvalidData("invalid peer certificate"), "OSError", null],
    [new E.WriteZero("failed to write whole buffer"), "OSError", null],
    [new E.UnexpectedEof("early eof"), "OSError", null],
    [new E.NotSupported("not supported"), "OSError", null],
  ];
  for (const [deno, name, errno] of cases) {
    const err = toOSError(deno);
    assert(err instanceof OSError, `${deno.name} not mapped`);
    assertEquals([deno.name, err.name, err.errno], [deno.name, name, errno]);
    assert(err.cause === deno);
  }
  // The OS's errno keeps Linux's text; Deno's own errors keep Deno's.
  assertEquals(fields(toOSError(new E.BadResource("Bad resource ID"))), [
    "OSError",
    9,
    "EBADF",
    "Bad resource ID",
    null,
    "[Errno 9] Bad resource ID",
  ]);
  assertEquals(
    (toOSError(new E.NotFound("Failed to spawn 'x': No such file or directory (os error 2)"), {
      filename: "x",
    }) as OSError).message,
    "[Errno 2] No such file or directory: 'x'",
  );
  assertEquals(
    (toOSError(new E.InvalidData("bad data")) as OSError).message,
    "bad data",
  );
});

Deno.test("toOSError() reads `code` first (Deno's and node:*), then 'ESRCH: ' prefixes", () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  assertEquals(fields(toOSError(withCode("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED"))), [
    "ConnectionRefusedError",
    111,
    "ECONNREFUSED",
    "Connection refused",
    null,
    "[Errno 111] Connection refused",
  ]);
  // Deno's plain Error for an errno without a class of its own.
  assertEquals(
    fields(toOSError(withCode("Directory not empty (os error 39): remove '/tmp'", "ENOTEMPTY"))),
    ["OSError", 39, "ENOTEMPTY", "Directory not empty", null, "[Errno 39] Directory not empty"],
  );
  assertEquals(
    (toOSError(withCode("x", "EWOULDBLOCK")) as OSError).name,
    "BlockingIOError",
  );
  // node:dns: ENOTFOUND is getaddrinfo's EAI_NONAME.
  assertEquals(
    fields(toOSError(withCode("getaddrinfo ENOTFOUND no-such-host.invalid", "ENOTFOUND"))),
    [
      "gaierror",
      -2,
      "EAI_NONAME",
      "Name or service not known",
      null,
      "[Errno -2] Name or service not known",
    ],
  );
  assertEquals((toOSError(withCode("getaddrinfo EAI_AGAIN x", "EAI_AGAIN")) as OSError).errno, -3);
  assertEquals(
    fields(toOSError(new Deno.errors.NotFound("ESRCH: No such process"))),
    ["ProcessLookupError", 3, "ESRCH", "No such process", null, "[Errno 3] No such process"],
  );
});

Deno.test("toOSError() turns Deno's failed name lookup into gaierror by getaddrinfo's text", () => {
  const lookup = (text: string) => new Error(`failed to lookup address information: ${text}`);
  assertEquals(fields(toOSError(lookup("Temporary failure in name resolution"))), [
    "gaierror",
    -3,
    "EAI_AGAIN",
    "Temporary failure in name resolution",
    null,
    "[Errno -3] Temporary failure in name resolution",
  ]);
  assertEquals(fields(toOSError(lookup("something new"))), [
    "gaierror",
    null,
    null,
    null,
    null,
    "something new",
  ]);
});

Deno.test("toOSError() leaves alone what is no OS error, and is idempotent", () => {
  const others: unknown[] = [
    new TypeError("bad"),
    new RangeError("bad"),
    new CancelledError(),
    new RuntimeError("Event loop is closed"),
    new Error("plain, no errno"),
    Object.assign(new Error("node"), { code: "ERR_INVALID_ARG_TYPE" }),
    new Deno.errors.NotCapable('Requires net access to "x:1"'),
    new Deno.errors.Http("bad request"),
    "a string",
    null,
    new FileNotFoundError(2),
  ];
  for (const err of others) assert(toOSError(err, { message: "m" }) === err, String(err));
  const once = toOSError(
    new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
  );
  assert(toOSError(once) === once);
});

Deno.test("toOSError({ message }) replaces strerror, as asyncio's 'Connect call failed'", () => {
  const err = toOSError(new Deno.errors.ConnectionRefused("Connection refused (os error 111)"), {
    message: "Connect call failed ('127.0.0.1', 1)",
  });
  assertEquals(fields(err), [
    "ConnectionRefusedError",
    111,
    "ECONNREFUSED",
    "Connect call failed ('127.0.0.1', 1)",
    null,
    "[Errno 111] Connect call failed ('127.0.0.1', 1)",
  ]);
});

/** What `fn` throws (or rejects with), mapped. */
async function mappedFailure(fn: () => unknown, filename?: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return toOSError(err, { filename });
  }
  throw new Error("expected a failure");
}

Deno.test("real failures map as CPython reports them: spawn, connect, listen, Unix sockets, kill", async () => {
  const spawn = (program: string) => () => new Deno.Command(program).spawn();
  assertEquals(fields(await mappedFailure(spawn("/no/such/program"), "/no/such/program")), [
    "FileNotFoundError",
    2,
    "ENOENT",
    "No such file or directory",
    "/no/such/program",
    "[Errno 2] No such file or directory: '/no/such/program'",
  ]);
  assertEquals(fields(await mappedFailure(spawn("/tmp"), "/tmp")), [
    "PermissionError",
    13,
    "EACCES",
    "Permission denied",
    "/tmp",
    "[Errno 13] Permission denied: '/tmp'",
  ]);

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const inUse = await mappedFailure(() => Deno.listen({ hostname: "127.0.0.1", port }));
  listener.close();
  assertEquals(fields(inUse), [
    "OSError",
    98,
    "EADDRINUSE",
    "Address already in use",
    null,
    "[Errno 98] Address already in use",
  ]);
  assert((inUse as OSError).cause instanceof Deno.errors.AddrInUse);
  const refused = await mappedFailure(() => Deno.connect({ hostname: "127.0.0.1", port }));
  assertEquals(fields(refused), [
    "ConnectionRefusedError",
    111,
    "ECONNREFUSED",
    "Connection refused",
    null,
    "[Errno 111] Connection refused",
  ]);

  const path = "/no/such/dir/sock";
  const noDir = [
    "FileNotFoundError",
    2,
    "ENOENT",
    "No such file or directory",
    null,
    "[Errno 2] No such file or directory",
  ];
  assertEquals(fields(await mappedFailure(() => Deno.connect({ transport: "unix", path }))), noDir);
  assertEquals(fields(await mappedFailure(() => Deno.listen({ transport: "unix", path }))), noDir);

  // A pid far above Linux's pid_max (2**22).
  assertEquals(
    (await mappedFailure(() => Deno.kill(2 ** 30, "SIGTERM")) as OSError).name,
    "ProcessLookupError",
  );
});

Deno.test("a real name lookup that fails is gaierror [Errno -2] (or -3 without a resolver)", async () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the lookup did not fail within 10 s")), 10_000);
  });
  try {
    const err = await mappedFailure(() =>
      Promise.race([Deno.connect({ hostname: "no-such-host.invalid", port: 80 }), deadline])
    );
    assert(err instanceof gaierror, `got ${err}`);
    assert(err.errno === -2 || err.errno === -3, `got ${err.message}`);
    assertEquals(err.message, `[Errno ${err.errno}] ${err.strerror}`);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("a node:net connection refused maps by its code to ConnectionRefusedError 111", async () => {
  const net = await import("node:net");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const failure = await new Promise<unknown>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", (err) => {
      socket.destroy();
      resolve(err);
    });
  });
  const err = toOSError(failure);
  assertEquals(fields(err), [
    "ConnectionRefusedError",
    111,
    "ECONNREFUSED",
    "Connection refused",
    null,
    "[Errno 111] Connection refused",
  ]);
  assert((err as OSError).cause === failure);
});
