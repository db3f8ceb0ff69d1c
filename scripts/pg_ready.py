"""Exit 0 when PostgreSQL answers on 127.0.0.1:5432 (used by `make test`)."""

import sys

try:
    import psycopg

    psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
    ).close()
except Exception:
    sys.exit(1)
sys.exit(0)
