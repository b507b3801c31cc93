# Nested timeouts: only the one that expired raises TimeoutError; a cancel
# from outside the timeout gets through as CancelledError.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        async with asyncio.timeout(0.1) as outer:
            try:
                async with asyncio.timeout(0.3) as inner:
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                print(f"inner block sees CancelledError; inner expired: {inner.expired()}")
                raise
    except TimeoutError:
        print(f"outer TimeoutError at {loop.time() - t0:.1f}; outer expired: {outer.expired()}")

    t0 = loop.time()
    async with asyncio.timeout(0.3) as outer:
        try:
            async with asyncio.timeout(0.1) as inner:
                await asyncio.sleep(1)
        except TimeoutError:
            print(f"inner TimeoutError at {loop.time() - t0:.1f}")
        await asyncio.sleep(0.1)
    print(f"outer finished in time: expired {outer.expired()} at {loop.time() - t0:.1f}")

    async def body():
        try:
            async with asyncio.timeout(0.2):
                await asyncio.sleep(1)
        except TimeoutError:
            print("not reached: timeout")
        except asyncio.CancelledError:
            print("a cancel from outside gets through as CancelledError")
            raise

    t = asyncio.create_task(body())
    await asyncio.sleep(0.1)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)

    async def both():
        try:
            async with asyncio.timeout(0.1):
                try:
                    await asyncio.sleep(1)
                except asyncio.CancelledError:
                    print("first cancel (the timeout) swallowed")
                await asyncio.sleep(1)
        except TimeoutError:
            print("not reached: timeout")
        except asyncio.CancelledError:
            print("timeout expired and an outside cancel: CancelledError wins")
            raise

    t = asyncio.create_task(both())
    await asyncio.sleep(0.2)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)
    print("task cancelled:", t.cancelled())


asyncio.run(main())
