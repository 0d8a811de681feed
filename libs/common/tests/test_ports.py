import socket

from todo_common.ports import free_port, free_ports


def test_a_free_port_can_be_bound_on_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port()))


def test_ports_picked_together_are_all_different_and_all_bindable():
    ports = free_ports(12)
    assert len(set(ports)) == 12
    sockets = [socket.socket() for _ in ports]
    try:
        for server, port in zip(sockets, ports, strict=True):
            server.bind(("127.0.0.1", port))
    finally:
        for server in sockets:
            server.close()
