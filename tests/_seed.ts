// The seed's two printer transcripts (asyncio-notes.ko.md, "Event loop
// usage"), which the examples, the REPL and the library must reproduce.

/** Four blocking printers: one after another, 0.2 s apart. */
export const BLOCKING_PRINTERS: readonly string[] = [
  "Started call_soon at 0.0",
  "Finished call_soon at 0.2",
  "Started call_soon_threadsafe at 0.2",
  "Finished call_soon_threadsafe at 0.4",
  "Started call_later at 0.4",
  "Finished call_later at 0.6",
  "Started call_at at 0.6",
  "Finished call_at at 0.8",
];

/** The same printers awaiting sleep(0.2) as tasks: they interleave. */
export const ASYNC_PRINTERS: readonly string[] = [
  "Started call_soon at 0.0",
  "Started call_soon_threadsafe at 0.0",
  "Started call_later at 0.1",
  "Started call_at at 0.2",
  "Finished call_soon at 0.2",
  "Finished call_soon_threadsafe at 0.2",
  "Finished call_later at 0.3",
  "Finished call_at at 0.4",
];
