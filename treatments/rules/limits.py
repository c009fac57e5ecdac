"""Every limit a plan, a booking or a visit is held to, stated once.

Messages that state a limit format it from here; database constraints keep their SQL, and
`tests/treatments/rules/test_limits.py` asserts each constraint matches its constant.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evidence.limits import MAX_DEPTH_MM, MIN_INTERVAL_DAYS

__all__ = [
    "ANAESTHETIC_LEAD",
    "ANAESTHETIC_LEAD_MINUTES",
    "BOOKING_NOTICE_DAYS",
    "CONSULTATION_DAYS_AHEAD",
    "MAX_BOOKING_AHEAD_DAYS",
    "MAX_INTERVAL_DAYS",
    "MAX_SESSIONS",
    "MAX_START_AHEAD_DAYS",
    "MIN_INTERVAL_DAYS",
    "MIN_SESSIONS",
    "PAIN_SCORE_MAX",
    "PLAN_DEPTH_MAX_MM",
    "PLAN_DEPTH_MIN_MM",
    "SEARCH_LIMIT_DAYS",
]

#: Topical anaesthetic goes on this long before the procedure, so the patient arrives then
#: (DOMAIN.md B2/P4).
ANAESTHETIC_LEAD_MINUTES = 30
ANAESTHETIC_LEAD = dt.timedelta(minutes=ANAESTHETIC_LEAD_MINUTES)

#: Depths a plan or a session record may ever hold; protocols narrow this, departures from a
#: protocol need a reason.
PLAN_DEPTH_MIN_MM = Decimal("0.25")
PLAN_DEPTH_MAX_MM = MAX_DEPTH_MM

#: Sanity limits on what a person can type; protocols sit far inside them.
MIN_SESSIONS = 1
MAX_SESSIONS = 60
MAX_INTERVAL_DAYS = 365
#: How far ahead a series may start.
MAX_START_AHEAD_DAYS = 366
#: How far ahead a session may be booked.
MAX_BOOKING_AHEAD_DAYS = 2 * 366
#: How far to look for an open day before giving up (a clinic closed for a year is a data error).
SEARCH_LIMIT_DAYS = 366
#: Pain is scored on a 0–10 visual analogue scale (DOMAIN.md S20).
PAIN_SCORE_MAX = 10
#: A planned session is due for booking this many days before its booking window opens: a
#: week's notice to reach the patient and find a time.
BOOKING_NOTICE_DAYS = 7
#: The consultation page's day picker runs from today this many days on (never a past day).
CONSULTATION_DAYS_AHEAD = 13
