"""Running the server inside another process: the desktop app's demo and the test suite.

`serve_in_thread(app)` serves a FastAPI app with uvicorn on a free loopback port in a daemon
thread and returns its base URL and a stop function. `start_demo_server(db_path)` does that for the
demo: it creates the SQLite file with the demo world (`init_demo`) the first time, with
`DEMO_PASSWORD` for every demo account, and serves it with the SS-check worker running.
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from server.settings import Clock, ServerContext, Settings, system_clock

DEMO_PASSWORD = "demo-union-2025"
DEMO_CLERK = "grassroots"
#: The demo account `union-clerk --demo --role LEVEL` signs in as, by union level.
DEMO_LOGINS = {"grassroots": DEMO_CLERK, "secondary": "secondary", "district": "district", "city": "center"}


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening-ready socket bound to a free port on `host` (kept open: no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def serve_in_thread(app: FastAPI, host: str = "127.0.0.1", *, access_log: bool = False,
                    startup_timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Serve `app` on a free port of `host` in a daemon thread; returns (base_url, stop).

    uvicorn leaves logging configuration alone (`log_config=None`): its records go to the host
    process's handlers like every other module's."""
    sock = free_socket(host)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="on", access_log=access_log,
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"union-server:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the embedded server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(15)
        sock.close()

    return f"http://{host}:{port}", stop


def start_demo_server(db_path: str | Path, *, members_per_union: int = 150, clock: Clock | None = None,
                      settings: Settings | None = None, host: str = "127.0.0.1",
                      samples: bool = True) -> tuple[str, Callable[[], None]]:
    """Serve the demo database at `db_path` (created with the demo world if new) on loopback (or
    on `host`: tests of plain http to another PC). `samples`: the district's sample requests
    (server.demo.add_samples); a test that counts what the district reviews starts without them.

    Every demo account's password is DEMO_PASSWORD; the grassroots clerk is DEMO_CLERK.
    """
    from server.app import create_app
    from server.db import open_database, session
    from server.demo import init_demo, is_initialised
    from server.migrations import migrate

    url = f"sqlite:///{Path(db_path).resolve()}"
    ctx = ServerContext(settings=settings or Settings(), clock=clock or system_clock)
    open_database(url)
    migrate()
    with session():
        if not is_initialised():
            init_demo(ctx, password=DEMO_PASSWORD, members_per_union=members_per_union, samples=samples)
    app = create_app(url, clock=ctx.clock, settings=ctx.settings)
    return serve_in_thread(app, host)
