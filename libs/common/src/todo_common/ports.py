"""Free TCP ports on the loopback interface, for the local stack, benchmarks and tests."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on right now (the kernel's pick; free until someone binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    """`count` different free ports, for processes started side by side.

    The kernel may hand the same port out twice once the probe is closed, so each pick is
    checked against the others.
    """
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports
