# sock_connect: a refused connect reads "[Errno 111] Connect call failed
# (...)"; a name is resolved first; a cancelled sock_recv loses no data.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    sock = socket.socket()
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, ("127.0.0.1", port))
    except OSError as e:
        print(type(e).__name__, e.errno, str(e).replace(str(port), "PORT"))
    sock.close()

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    port = server.getsockname()[1]
    client = socket.socket()
    client.setblocking(False)
    await loop.sock_connect(client, ("localhost", port))
    print("connected to", str(client.getpeername()).replace(str(port), "PORT"))
    conn, _ = await loop.sock_accept(server)
    task = asyncio.create_task(loop.sock_recv(conn, 100))
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("recv cancelled")
    await loop.sock_sendall(client, b"kept")
    print("next recv:", await loop.sock_recv(conn, 100))
    for s in (conn, client, server):
        s.close()


asyncio.run(main())
