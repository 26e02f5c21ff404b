"""A real `tqcheck serve` (uvicorn + the app) on a free loopback port, in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tqcheck.config import Config


@dataclass
class Running:
    url: str
    app: object
    service: object


@contextmanager
def running_server(config: Config | None = None, **settings: object) -> Iterator[Running]:
    import uvicorn

    from tqcheck.cli_serve import bind_socket
    from tqcheck.server.app import ServeSettings, create_app
    from tqcheck.server.service import CheckService

    config = config or Config(signals=["rules"])
    opts = ServeSettings(**settings)  # type: ignore[arg-type]
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    service = CheckService(config, queue_size=opts.queue_size, timeout=opts.timeout)
    app = create_app(config, opts, service)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", app, service)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
