"""A round-robin TCP forwarder: the "load balancer" of the two-server bench.

queue_job 17.0 elects one job runner per database (a PostgreSQL advisory
lock; the other runners wait as hot standbys), and the elected runner sends
each job to the HTTP address in its ``[queue_job] host/port`` options. In
production that is a load balancer in front of every Odoo server; here this
forwarder plays it, so both servers' workers run jobs::

    python tests/bench/round_robin.py LISTEN_PORT TARGET_PORT [TARGET_PORT...]
"""

import asyncio
import itertools
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # the other side went away: close ours below
    finally:
        writer.close()


async def main(listen, targets):
    cycle = itertools.cycle(targets)

    async def handle(client_reader, client_writer):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", next(cycle))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    ports = [int(p) for p in sys.argv[1:]]
    asyncio.run(main(ports[0], ports[1:]))
