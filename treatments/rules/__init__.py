"""The clinic's rules as plain functions and constants: no ORM, no settings, no requests.

Each rule and limit is stated once here. Services load rows, ask a rule, and save its answer;
forms, serializers, views, the admin and messages read limits from here and format messages
from them. Tests exercise every module without a database.

- `limits`: the numbers (spacing floor, depth, sessions, interval, arrival lead, how far ahead).
- `spacing`: the clinic calendar, series dates, how a move re-spaces later sessions, the 7-day
  floor and series order against neighbouring sessions, the booking window.
- `slots`: opening hours and the arrival lead, free slots, overlaps.
- `planning`: a plan's parameters against the hard limits and the protocol's ranges.
- `screening`: which answers are missing, the severity a rule applies with after its
  exceptions, the screening's result, what it demands, and how long it stands.
- `roles`: who may plan, approve, override and record.
- `visit`: when a session may be checked in or marked a no-show (booked, on its day).
"""
