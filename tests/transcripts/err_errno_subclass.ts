// The class each errno makes, as err_errno_subclass.py: Python's
// OSError(n, os.strerror(n)) is our oserrorFromErrno(n) (the constructor
// does not pick the subclass in JS).
import { FileNotFoundError, OSError, PermissionError } from "../../mod.ts";
import { oserrorFromErrno } from "../../lib/_oserror.ts";
import { line } from "./loop_fmt.ts";
import { tree } from "./err_fmt.ts";

const NUMBERS = [
  1,
  2,
  3,
  4,
  5,
  9,
  10,
  11,
  13,
  17,
  20,
  21,
  22,
  32,
  36,
  39,
  98,
  99,
  101,
  103,
  104,
  107,
  108,
  110,
  111,
  113,
  114,
  115,
  125,
];

export default function (print: (line: string) => void): Promise<void> {
  for (const n of NUMBERS) {
    const err = oserrorFromErrno(n);
    print(line(n, err.code, err.name, tree(err)));
    print(line("  str:", err.message));
  }
  let err: OSError = new FileNotFoundError(2, undefined, "a.txt");
  print(line(err.name, err.filename, "|", err.message));
  err = new PermissionError(13, undefined, "it's");
  print(line(err.name, err.filename, "|", err.message));
  err = new OSError("no number");
  print(line(err.name, err.errno, err.strerror, err.filename, "|", err.message));
  return Promise.resolve();
}
