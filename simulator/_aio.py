"""asyncio helpers shared by the servers of a simulated printer."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any


async def cancel_and_wait(*tasks: asyncio.Task[Any]) -> None:
    """Cancel ``tasks`` and wait until they have finished.

    A cancellation of the caller itself still propagates.
    """
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise


def reset_socket(sock: Any) -> None:
    """Make the next close of ``sock`` send a TCP reset, not a graceful FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_transport(transport: asyncio.Transport) -> None:
    """Drop a connection with a TCP reset, unsent data discarded."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        reset_socket(sock)
    transport.abort()
