# create_server(sock=...) and create_connection(sock=...) take sockets over;
# a transport's get_extra_info("socket") has the addresses and options.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    got = loop.create_future()

    class Echo(asyncio.Protocol):
        def data_received(self, data):
            got.set_result(data)

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    address = listening.getsockname()
    server = await loop.create_server(Echo, sock=listening)
    print("server port is the socket's:", server.sockets[0].getsockname() == address)
    sock = socket.socket()
    sock.setblocking(False)
    await loop.sock_connect(sock, address)
    transport, _ = await loop.create_connection(asyncio.Protocol, sock=sock)
    transport.write(b"via sock")
    print("server got", await got)
    ts = transport.get_extra_info("socket")
    print("family, type:", int(ts.family), int(ts.type))
    print("peer:", ts.getpeername() == address)
    print("sockname:", ts.getsockname() == transport.get_extra_info("sockname"))
    print("nodelay:", ts.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    transport.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
