"""When the visit's own steps may happen: a session is checked in, or marked a no-show, only
while booked and only on its day. Pure: the page's buttons, the check-in page, the services
(and so the API) all ask here, so a future session is never offered a check-in it would refuse.
"""

from __future__ import annotations

import datetime as dt

#: The one status from which a session can be checked in or marked a no-show.
BOOKED = "booked"


def on_the_day_problem(
    *,
    status: str,
    day: dt.date,
    today: dt.date,
    what: str = "checked in",
    status_label: str = "",
) -> str | None:
    """Why a session (in `status`, happening on `day`) cannot be `what` ("checked in", "marked
    as a no-show") today, or None when it can."""
    if status != BOOKED:
        label = (status_label or status).lower()
        return f"Only a booked session can be {what}; this one is {label}."
    if day != today:
        return f"A session is {what} on its day ({day:%d %b %Y})."
    return None
