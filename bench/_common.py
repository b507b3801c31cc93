"""Shared helpers of the Python peers of bench/*.ts (see bench/README.md).

`--uvloop` on a peer's command line runs it on uvloop instead of asyncio.
"""

import asyncio
import json
import sys

USE_UVLOOP = "--uvloop" in sys.argv
IMPL = "uvloop" if USE_UVLOOP else "asyncio"


def new_loop():
    """A new event loop of the implementation asked for."""
    if USE_UVLOOP:
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run(main):
    """asyncio.run(main()) on the implementation asked for."""
    with asyncio.Runner(loop_factory=new_loop) as runner:
        return runner.run(main())


def emit(bench, ops, seconds, unit, value=None, lower=False, **extra):
    """Print one result line in the format bench/run.ts reads."""
    line = {"bench": bench, "impl": IMPL, "ops": ops, "seconds": seconds, "unit": unit,
            "extra": extra}
    if value is not None:
        line["value"] = value
    if lower:
        line["lower"] = True
    print(json.dumps(line), flush=True)
