"""make bench: benchmark data (`manage.py seed_scale`), the servers and the load. Installed as
an app only for its management command; no app imports it."""
