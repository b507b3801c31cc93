# StreamReader.read(n) returns up to n of the buffered bytes, across the
# chunks they were fed in, as CPython's one bytearray buffer does.
import asyncio


def show(label, data):
    # Lengths, and the first and last byte: enough to see which bytes came.
    if data:
        print(f"{label}: {len(data)} bytes {data[:1]!r}..{data[-1:]!r}")
    else:
        print(f"{label}: {data!r}")


async def main():
    loop = asyncio.get_running_loop()

    # The case: two chunks of 5,000 bytes, read(8000).
    r = asyncio.StreamReader()
    r.feed_data(b"a" * 5000)
    r.feed_data(b"b" * 5000)
    show("read(8000)", await r.read(8000))
    show("read(8000)", await r.read(8000))

    # A read spanning three chunks, small ones and big ones.
    r = asyncio.StreamReader()
    for piece in [b"one", b"two", b"three"]:
        r.feed_data(piece)
    show("read(100) of 3 small", await r.read(100))
    for piece in [b"x" * 6000, b"y" * 7000, b"z" * 8000]:
        r.feed_data(piece)
    show("read(20000) of 3 big", await r.read(20000))
    show("rest", await r.read(20000))

    # read(n) smaller than the first chunk, then after partial consumption.
    r = asyncio.StreamReader()
    r.feed_data(b"0123456789")
    r.feed_data(b"abcdefghij")
    show("read(4)", await r.read(4))
    show("read(4)", await r.read(4))
    show("read(5) across", await r.read(5))
    show("readexactly(3)", await r.readexactly(3))
    show("read(100)", await r.read(100))

    # A read waiting on an empty buffer gets what arrived before it ran.
    r = asyncio.StreamReader()

    def feed():
        r.feed_data(b"p" * 5000)
        r.feed_data(b"q" * 5000)

    loop.call_soon(feed)
    show("read(9000) waited", await r.read(9000))
    r.feed_eof()
    show("read(9000) after eof", await r.read(9000))
    show("read(9000) at eof", await r.read(9000))

    # read(-1): everything until EOF, across chunks fed before and after.
    r = asyncio.StreamReader()
    r.feed_data(b"m" * 5000)
    r.feed_data(b"n" * 5000)
    loop.call_soon(r.feed_data, b"o" * 5000)
    loop.call_soon(r.feed_eof)
    show("read(-1)", await r.read(-1))
    show("read()", await r.read())


asyncio.run(main())
