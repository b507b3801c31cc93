# sock_sendfile: `count` bytes from `offset`, the file left after them.
import asyncio
import os
import socket
import tempfile


async def main():
    loop = asyncio.get_running_loop()
    fd, path = tempfile.mkstemp()
    os.write(fd, b"0123456789" * 1000)
    os.close(fd)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    client = socket.socket()
    client.setblocking(False)
    await loop.sock_connect(client, server.getsockname())
    conn, _ = await loop.sock_accept(server)
    with open(path, "rb") as f:
        print("sent", await loop.sock_sendfile(client, f, 5, 20))
        print("file at", f.tell())
        got = b""
        while len(got) < 20:
            got += await loop.sock_recv(conn, 100)
        print("got", got)
        print("to the end", await loop.sock_sendfile(client, f, 9990))
        got = b""
        while len(got) < 10:
            got += await loop.sock_recv(conn, 100)
        print("got", got, "file at", f.tell())
    os.remove(path)
    for s in (conn, client, server):
        s.close()


asyncio.run(main())
