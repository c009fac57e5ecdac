"""gunicorn settings for `make serve`: the production-style server.

Workers × threads serve requests; each worker process has its own database pool with one
connection per thread (DB_POOL_MAX_SIZE), so a server holds at most workers × threads
connections. At start-up the total, times the app servers sharing the database
(APP_SERVERS), is checked against PostgreSQL's max_connections.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Open connections to the database are per process: load the app in each worker, not the
# master, so no connection is shared across a fork.
preload_app = False
timeout = 30
graceful_timeout = 20
keepalive = 5
# No request-line limit of gunicorn's own (its largest, 8,190 bytes, is a bare HTML 414): the
# app answers any address over URL_MAX_LENGTH with its own 414, JSON on the API. The TLS proxy
# in front bounds what reaches gunicorn at all (see the README's deployment notes).
limit_request_line = 0
max_requests = 5000  # recycle workers now and then: a slow leak never grows for long
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "clinic"
# Behind the TLS proxy: trust its X-Forwarded-* headers only from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

os.environ.setdefault("DB_POOL_MAX_SIZE", str(threads))
#: Connections kept free for migrations, psql and monitoring.
RESERVED_CONNECTIONS = 10


def on_starting(server: object) -> None:
    """Refuse to start a server that could exhaust PostgreSQL's connections."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        row = connection.execute("SHOW max_connections").fetchone()
    if row is None:
        raise RuntimeError("PostgreSQL did not answer SHOW max_connections.")
    limit = int(row[0])
    servers = int(os.environ.get("APP_SERVERS", "1"))
    pool = int(os.environ["DB_POOL_MAX_SIZE"])
    needed = servers * workers * pool
    if needed > limit - RESERVED_CONNECTIONS:
        raise SystemExit(
            f"{servers} server(s) × {workers} workers × a pool of {pool} = {needed} "
            f"connections, over PostgreSQL's max_connections ({limit}) less "
            f"{RESERVED_CONNECTIONS} reserved. Lower GUNICORN_WORKERS or GUNICORN_THREADS."
        )
    print(  # noqa: T201 - gunicorn's own start-up log
        f"Database connections: {servers} server(s) × {workers} workers × pool {pool} = "
        f"{needed} of {limit} (max_connections)."
    )
