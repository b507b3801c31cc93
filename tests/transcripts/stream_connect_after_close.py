# A connect right after server.close() is refused (CPython closes the
# listening socket in close()), with the clients already connected kept.
import asyncio


async def main():
    accepted = asyncio.Event()

    async def handler(reader, writer):
        accepted.set()
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # The server accepts in its own time; close() drops a connection it has
    # not accepted yet.
    await accepted.wait()
    server.close()
    print("serving:", server.is_serving())
    for attempt in range(3):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
            print(attempt, "connected")
            w.close()
        except ConnectionRefusedError as e:
            print(attempt, type(e).__name__, e.errno, str(e).replace(str(port), "PORT"))
    writer.write(b"still here\n")
    print("old client got", await reader.readline())
    writer.close()
    await writer.wait_closed()
    await server.wait_closed()
    print("closed")


asyncio.run(main())
