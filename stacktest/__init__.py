"""The whole stack on this machine: gunicorn, two Celery workers and beat on PostgreSQL and Redis with
the production settings, driven over HTTP (``python -m stacktest``; ``scripts/stack_test``)."""
