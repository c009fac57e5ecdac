"""Load scenarios for benchmarks/run.py; SCENARIO picks one, POOL names the prepared data.

Every user is a closed loop (no think time): N users keep N requests in flight, so the
figures are what the server does flat out at that concurrency.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

POOL = json.loads(open(os.environ["POOL"], encoding="utf-8").read())  # noqa: SIM115, PTH123
SCENARIO = os.environ["SCENARIO"]
HOSTS = os.environ.get("HOSTS", "http://127.0.0.1:8801").split(",")
TODAY = dt.date.fromisoformat(POOL["today"])
# As the TLS proxy would: the app runs with production settings (HTTPS only).
PROXIED = {"X-Forwarded-Proto": "https"}
_numbers = itertools.count()


class Clinic(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    host = HOSTS[0]

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.rng = random.Random(self.number)  # noqa: S311 - load patterns, not secrets
        desk = POOL["desk_sessions"]
        derm = POOL["derm_sessions"]
        self.page = {**PROXIED, "Cookie": f"sessionid={desk[self.number % len(desk)]}"}
        self.clinician = {**PROXIED, "Cookie": f"sessionid={derm[self.number % len(derm)]}"}
        token = POOL["desk_tokens"][self.number % len(POOL["desk_tokens"])]
        self.api = {**PROXIED, "Authorization": f"Token {token}"}

    def get(self, path: str, name: str, headers: dict[str, str]) -> None:
        # No redirects followed: a logged-out session (302 to the login page) is a failure.
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Reader(Clinic):
    """One of the read scenarios, chosen by SCENARIO."""

    @task
    def scenario(self) -> None:
        pick = self.rng.choice
        if SCENARIO == "floor":
            self.get("/accounts/me/", "floor: /accounts/me/", self.page)
        elif SCENARIO == "patient_search":
            self.get(f"/patients/?q={pick(POOL['search_terms'])}", "/patients/?q=", self.page)
        elif SCENARIO == "patient_page":
            self.get(f"/patients/{pick(POOL['patients'])}/", "/patients/<id>/", self.clinician)
        elif SCENARIO == "plan_page":
            self.get(f"/plans/{pick(POOL['plans'])}/", "/plans/<id>/", self.clinician)
        elif SCENARIO == "today":
            self.get("/today/", "/today/", self.page)
        elif SCENARIO == "day_calendar":
            day = TODAY + dt.timedelta(days=self.rng.randint(-30, 30))
            practitioner = pick(POOL["practitioners"])
            self.get(
                f"/calendar/practitioners/{practitioner}/?date={day}",
                "/calendar/practitioners/<id>/",
                self.page,
            )
        elif SCENARIO == "availability":
            session, target = pick(POOL["bookable"])
            self.get(
                f"/api/sessions/{session}/availability/?day={target}",
                "/api/sessions/<id>/availability/",
                self.api,
            )
        elif SCENARIO == "api_lists":
            choice = self.rng.randrange(3)
            if choice == 0:
                self.get(
                    f"/api/patients/?q={pick(POOL['search_terms'])}", "/api/patients/", self.api
                )
            elif choice == 1:
                day = TODAY + dt.timedelta(days=self.rng.randint(-30, 30))
                self.get(f"/api/sessions/?day={day}", "/api/sessions/?day=", self.api)
            else:
                self.get("/api/plans/", "/api/plans/", self.api)
        else:
            raise SystemExit(f"unknown SCENARIO {SCENARIO!r}")


class Clerk(Clinic):
    """Books the next session of a series: looks up the free slots, books one of the first
    few (so clerks collide on the same slots), and on a clash tries the next."""

    abstract = True

    def on_start(self) -> None:
        super().on_start()
        clerks = int(os.environ.get("CLERKS", "20"))
        self.mine = POOL["bookable"][self.number :: clerks]  # no two clerks book one session

    @task
    def book(self) -> None:
        if not self.mine:
            return
        session, target = self.mine.pop()
        with self.client.get(
            f"/api/sessions/{session}/availability/?day={target}",
            name="/api/sessions/<id>/availability/",
            headers=self.api,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            slots = response.json()
        for slot in slots[: self.rng.randint(1, 3)] + slots[3:6]:
            with self.client.post(
                f"/api/sessions/{session}/book/",
                name="/api/sessions/<id>/book/",
                headers=self.api,
                allow_redirects=False,
                json={
                    "starts_at": slot["starts_at"],
                    "practitioner": slot["practitioners"][0]["id"],
                    "room": slot["rooms"][0]["id"],
                },
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    return
                if response.status_code == 409:  # someone took it first: expected, try another
                    response.success()
                    self.environment.events.request.fire(
                        request_type="CONFLICT",
                        name="booking clash (409)",
                        response_time=0,
                        response_length=0,
                        exception=None,
                        context={},
                    )
                    continue
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return


class ClerkOnFirstServer(Clerk):
    host = HOSTS[0]


class ClerkOnSecondServer(Clerk):
    host = HOSTS[-1]
