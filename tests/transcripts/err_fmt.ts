// Helpers for the err_* transcripts: print an OSError as their show() does.
import { OSError } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

/**
 * The two lines `show(label, e)` prints: the class, errno, errno name,
 * strerror, filename (unless `withFilename` is false) and isinstance
 * OSError; then str(e).
 */
export function show(
  print: (line: string) => void,
  label: string,
  err: unknown,
  withFilename = true,
): void {
  if (!(err instanceof OSError)) throw err;
  const filename = withFilename ? [err.filename] : [];
  print(
    line(label, err.name, err.errno, err.code, err.strerror, ...filename, err instanceof OSError),
  );
  print(line("  str:", err.message));
}

/** Python's list of the class names from `err`'s class up to OSError (its `__mro__`). */
export function tree(err: OSError): string {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(err); p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    names.push(`'${p.constructor.name}'`);
  }
  return `[${names.join(", ")}]`;
}
