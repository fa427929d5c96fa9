"""`union-server serve --workers N`: N uvicorn processes on one port, each listening on a socket of
its own (SO_REUSEPORT), so the kernel hands every new connection to one of them at random.

uvicorn's own `workers=N` shares one listening socket among its processes; each process's event
loop, woken by a connection, accepts every connection waiting at that moment. Clerks' keep-alive
connections opened together (a sync wave, nginx's upstream connections) then all landed on one
process: 4 concurrent clients of `serve --workers 2` kept one process busy and the other idle
(bench/city.py prints each process's share of the server's CPU). With a socket each, the kernel
spreads the connections by their addresses, independently of which process is awake.

This (supervising) process only watches: a worker that dies is started again, one that could not
start (the app failed to load) stops the server; SIGTERM or SIGINT stops the workers and waits
for them. The workers read their database URL and settings from the environment (server/app.py
`app_from_env`), which they inherit.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from types import FrameType

log = logging.getLogger("union_server.workers")

#: A worker's exit status when its app did not start (uvicorn's STARTUP_FAILURE): starting it
#: again would fail the same way.
STARTUP_FAILURE = 3
#: Seconds a stopping worker is given to finish its requests before it is killed.
STOP_SECONDS = 30


def _bound_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port that other processes of this user may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A TCP socket listening on host:port that other processes of this user may listen on too
    (SO_REUSEPORT): the kernel balances new connections among them."""
    sock = _bound_socket(host, port)
    try:
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _serve_one(host: str, port: int, log_level: str) -> None:
    """One worker process: the app from the environment on a listening socket of its own."""
    import uvicorn

    config = uvicorn.Config("server.app:app_from_env", factory=True, host=host, port=port, log_level=log_level,
                            proxy_headers=True)
    server = uvicorn.Server(config)
    config.load()  # the app made (schema checked) before the socket listens: no connection waits on it
    server.run(sockets=[listening_socket(host, port, config.backlog)])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def run(count: int, host: str, port: int, log_level: str) -> int:
    """Run `count` worker processes until SIGTERM or SIGINT; the exit status (0, or 1 when a worker
    could not start)."""
    _bound_socket(host, port).close()  # the port is free (else OSError before any worker starts)
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_serve_one, args=(host, port, log_level), name="union-server-http")
        process.start()
        return process

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    status = 0
    processes = [start() for _ in range(count)]
    try:
        while not stop.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    log.error("HTTP worker %s could not start; stopping the server", process.pid)
                    status = 1
                    stop.set()
                    break
                log.warning("HTTP worker %s exited (%s); starting another", process.pid, process.exitcode)
                processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


__all__ = ["listening_socket", "run", "supported"]
