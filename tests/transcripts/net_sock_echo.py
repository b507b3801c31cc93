# The loop's sock_* calls over a connected pair on 127.0.0.1: sock_accept,
# sock_connect, sock_sendall, sock_recv (at most n bytes), sock_recv_into,
# EOF after shutdown(SHUT_WR), then a closed socket's EBADF.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setblocking(False)
    await loop.sock_connect(client, server.getsockname())
    conn, address = await loop.sock_accept(server)
    print("accepted from the client:", address == client.getsockname())
    print("peer is the server:", client.getpeername() == server.getsockname())
    print("family, type:", int(conn.family), int(conn.type))
    await loop.sock_sendall(client, b"hello world")
    print("recv(5):", await loop.sock_recv(conn, 5))
    buf = bytearray(64)
    n = await loop.sock_recv_into(conn, buf)
    print("recv_into:", n, bytes(buf[:n]))
    for i in range(3):
        await loop.sock_sendall(conn, b"line %d\n" % i)
    got = b""
    while got.count(b"\n") < 3:
        got += await loop.sock_recv(client, 100)
    print("client got:", got)
    client.shutdown(socket.SHUT_WR)
    print("EOF:", await loop.sock_recv(conn, 100), await loop.sock_recv_into(conn, buf))
    print("nodelay:", client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print("nodelay:", client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    conn.close()
    print("closed fileno:", conn.fileno())
    try:
        await loop.sock_recv(conn, 10)
    except OSError as e:
        print("recv on closed:", type(e).__name__, e.errno, e)
    client.close()
    server.close()


asyncio.run(main())
