# A UDP echo: callbacks on each endpoint, datagrams in order, the address
# rule of a connected endpoint's sendto, close and connection_lost.
import asyncio


class Echo(asyncio.DatagramProtocol):
    def __init__(self, log):
        self.log = log
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        self.log.append("connection_made")

    def datagram_received(self, data, addr):
        self.log.append(f"datagram_received {data!r} from a {type(addr).__name__}")
        if self.transport.get_extra_info("peername") is None:
            self.transport.sendto(data.upper(), addr)
        elif data == b"THREE":
            self.transport.close()

    def connection_lost(self, exc):
        self.log.append(f"connection_lost {exc}")
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    server_log, client_log = [], []
    st, server = await loop.create_datagram_endpoint(
        lambda: Echo(server_log), local_addr=("127.0.0.1", 0)
    )
    host, port = st.get_extra_info("sockname")
    ct, client = await loop.create_datagram_endpoint(
        lambda: Echo(client_log), remote_addr=(host, port)
    )
    print("peername is the server:", ct.get_extra_info("peername") == (host, port))
    try:
        ct.sendto(b"x", (host, port + 1))
    except ValueError as exc:
        print("ValueError:", str(exc).replace(str(port), "PORT"))
    for word in (b"one", b"two", b"three"):
        ct.sendto(word)
    await client.lost
    st.close()
    await server.lost
    print("server:", *server_log, sep="\n  ")
    print("client:", *client_log, sep="\n  ")


asyncio.run(main())
