# get_event_loop() outside a running loop, from a fresh process on (CPython 3.13).
# 3.11 and 3.12 print the same; 3.12+ also warn DeprecationWarning where it makes the loop.
import asyncio
import warnings

warnings.simplefilter("ignore", DeprecationWarning)


def attempt(what, fn):
    try:
        loop = fn()
        print(what, "->", "a closed loop" if loop.is_closed() else "an open loop")
    except RuntimeError as e:
        print(what, "-> RuntimeError:", e)


attempt("fresh process", asyncio.get_event_loop)
first = asyncio.get_event_loop()
print("the same loop again:", asyncio.get_event_loop() is first)
first.close()
print("a closed current loop is returned:", asyncio.get_event_loop() is first)
asyncio.set_event_loop(None)
attempt("after set_event_loop(None)", asyncio.get_event_loop)
attempt("a Future without a loop", lambda: asyncio.Future().get_loop())
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
print("after set_event_loop(loop):", asyncio.get_event_loop() is loop)


async def main():
    print("inside run(), the running loop:", asyncio.get_event_loop() is asyncio.get_running_loop())


asyncio.run(main())
attempt("after run()", asyncio.get_event_loop)
print("run() left the loop it replaced open:", not loop.is_closed())
loop.close()
