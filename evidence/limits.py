"""The clinical hard limits the knowledge base itself must respect: plain values, no ORM.

They live here, beneath every app, because protocols (evidence) and plans (treatments) are both
held to them; `treatments.rules.limits` adds the limits that only plans and bookings need.
"""

from __future__ import annotations

from decimal import Decimal

#: Hard floor between sessions on the same area, whatever a protocol says (DOMAIN.md I1).
MIN_INTERVAL_DAYS = 7
#: The deepest needle depth any protocol or plan may hold (RFMN nasal sidewall, Shauly 2023).
MAX_DEPTH_MM = Decimal("3.0")
