"""A TCP forwarder that adds a fixed delay in each direction, to measure over a "network".

    python bench/latency_proxy.py --rtt-ms 10 [--listen 127.0.0.1:6543] [--target 127.0.0.1:5432]

Every chunk of bytes is held for half the round-trip time before it is passed on, in both
directions, in order; so a query that waits for its answer pays the full ``--rtt-ms`` once, as
over a LAN or a VPN. It also counts round trips: a chunk from the client that follows an answer
from the server starts a new one (the TCP handshake is not counted).

``LatencyProxy`` runs the same forwarder on a thread of its own, so a benchmark can start it in
its own process and read ``round_trips`` before and after each operation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
import time


class LatencyProxy:
    def __init__(
        self, target_host: str, target_port: int, rtt_ms: float, listen_host: str = "127.0.0.1"
    ) -> None:
        self.target = (target_host, target_port)
        self.delay = rtt_ms / 2000  # seconds, one way
        self.listen_host = listen_host
        self.port = 0
        self.round_trips = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running on a thread ---------------------------------------------------------------

    def start(self, port: int = 0) -> int:
        """Listen on ``port`` (0: any free one) on a daemon thread; returns the port."""
        self._thread = threading.Thread(target=self._run, args=(port,), daemon=True)
        self._thread.start()
        self._ready.wait()
        return self.port

    def _run(self, port: int) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(self._serve(port))
        self._ready.set()
        with contextlib.suppress(Exception):
            self._loop.run_forever()
        server.close()
        # Connections still open when stopped: end their tasks before the loop closes.
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=2)

    # --- the forwarder ---------------------------------------------------------------------

    async def _serve(self, port: int) -> asyncio.base_events.Server:
        server = await asyncio.start_server(self._client, self.listen_host, port)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        state = {"answered": True}  # the first client chunk starts a round trip
        await asyncio.gather(
            self._pipe(reader, up_writer, state, from_client=True),
            self._pipe(up_reader, writer, state, from_client=False),
        )

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        state: dict[str, bool],
        from_client: bool,
    ) -> None:
        # Chunks are queued with their due time and written in order by a second task, so a
        # burst of chunks is delayed once, not once per chunk.
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
            with contextlib.suppress(Exception):
                writer.close()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if from_client:
                    if data and state["answered"]:
                        self.round_trips += 1
                        state["answered"] = False
                elif data:
                    state["answered"] = True
                await queue.put((time.monotonic() + self.delay, data))
                if not data:
                    break
        except ConnectionError:
            await queue.put((0.0, b""))
        await sender


def _milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"milliseconden 0 tot 10000, niet {text!r}")
    return value


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"host:poort, bijv. 127.0.0.1:5432; niet {text!r}")
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=_milliseconds, required=True)
    parser.add_argument("--listen", type=_host_port, default="127.0.0.1:6543")
    parser.add_argument("--target", type=_host_port, default="127.0.0.1:5432")
    args = parser.parse_args()
    listen_host, listen_port = args.listen
    target_host, target_port = args.target
    proxy = LatencyProxy(target_host, target_port, args.rtt_ms, listen_host)

    async def forever() -> None:
        await proxy._serve(listen_port)
        print(
            f"{listen_host}:{proxy.port} -> {target_host}:{target_port}, "
            f"+{args.rtt_ms / 2:g} ms each way",
            flush=True,
        )
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(forever())


if __name__ == "__main__":
    main()
