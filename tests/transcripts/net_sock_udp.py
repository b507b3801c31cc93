# UDP with sock_sendto / sock_recvfrom / sock_recvfrom_into on 127.0.0.1:
# a datagram longer than the buffer is cut.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.setblocking(False)
    a.bind(("127.0.0.1", 0))
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b.setblocking(False)
    recv = asyncio.create_task(loop.sock_recvfrom(a, 4))
    await asyncio.sleep(0)
    sent = await loop.sock_sendto(b, b"ping", a.getsockname())
    data, address = await recv
    print("sent", sent, "got", data, "from b:", address[1] == b.getsockname()[1], address[0])
    print("sent", await loop.sock_sendto(a, b"pong!", address))
    buf = bytearray(16)
    n, address = await loop.sock_recvfrom_into(b, buf, 3)
    print("recvfrom_into", n, bytes(buf[:n]), "from a:", address == a.getsockname())
    a.close()
    b.close()


asyncio.run(main())
