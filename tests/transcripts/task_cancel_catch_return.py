# A task may catch CancelledError and return a value: it is then not cancelled.
import asyncio


async def catcher():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError as e:
        print(f"caught CancelledError: {e}")
        return "recovered"


async def main():
    t = asyncio.create_task(catcher())
    await asyncio.sleep(0)
    print("cancel returns", t.cancel("please stop"))
    print("result", await t)
    print("cancelled", t.cancelled(), "cancelling", t.cancelling())
    print("uncancel", t.uncancel(), "cancelling", t.cancelling())
    print("cancel of a done task returns", t.cancel())


asyncio.run(main())
