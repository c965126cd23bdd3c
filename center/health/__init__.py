"""Health: the worker heartbeat (a beat task), and ``/healthz`` reporting the database, the broker
and the heartbeat's age."""
