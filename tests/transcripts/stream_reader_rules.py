# StreamReader buffer rules, fed by hand: what each read returns or raises.
import asyncio


async def main():
    loop = asyncio.get_running_loop()

    r = asyncio.StreamReader(limit=5)
    r.feed_data(b"abc\nlong line here\nxy")
    print("readline", await r.readline())
    try:
        await r.readline()
    except ValueError as e:
        print("readline error:", e)
    loop.call_soon(r.feed_data, b"z\n12")
    print("readline", await r.readline())
    r.feed_data(b"3456789")
    try:
        await r.readuntil(b"!")
    except asyncio.LimitOverrunError as e:
        print("readuntil error:", e, e.consumed)
    r.feed_data(b"!")
    try:
        await r.readuntil(b"!")
    except asyncio.LimitOverrunError as e:
        print("readuntil error:", e, e.consumed)
    print("read(4)", await r.read(4))
    loop.call_later(0.1, r.feed_eof)
    try:
        await r.readexactly(10)
    except asyncio.IncompleteReadError as e:
        print("readexactly error:", e, e.partial, e.expected)
    print("at_eof", r.at_eof())
    print("read", await r.read())

    r = asyncio.StreamReader()
    order = []

    async def reader():
        async for line in r:
            order.append(f"got {line!r}")

    t = asyncio.create_task(reader())
    for chunk in [b"one\ntw", b"o\n", b"three"]:
        await asyncio.sleep(0)
        order.append(f"feed {chunk!r}")
        r.feed_data(chunk)
    r.feed_eof()
    await t
    print("\n".join(order))


asyncio.run(main())
