"""Receives inference telemetry from the edge devices over raw TCP/UDP."""
import json
import logging
import socket
import socketserver
import threading

log = logging.getLogger("telemetry")

ANY_ADDR = "0.0.0.0"


def tcp_listener(port: int = 9009) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))  # expect: AML.T0049
    s.listen(16)
    return s


def udp_listener(port: int = 9010) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ANY_ADDR, port))  # expect: AML.T0049
    return s


def v6_listener(port: int = 9011) -> socket.socket:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.bind(("::", port))  # expect: AML.T0049
    return s


def local_listener(port: int = 9012) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", port))  # ok
    return s


def empty_host_listener(port: int = 9013) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("", port))  # maybe: empty host also means every interface, not listed in the catalog
    return s


def is_wildcard(addr: str) -> bool:
    return addr in ("0.0.0.0", "::")  # ok


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        event = json.loads(line)  # ok
        log.info("event from %s: %s", self.client_address, event.get("kind"))


def start_server(port: int = 9014):
    srv = socketserver.ThreadingTCPServer(("localhost", port), Handler)  # ok
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv
