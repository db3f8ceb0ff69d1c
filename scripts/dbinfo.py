"""Print, as shell assignments, what backup.sh and restore.sh need to know of DATABASE_URL:
the engine, the database name (or SQLite file) and, for PostgreSQL, a URL of the server's
maintenance database (to create a missing database) and its password as PGPASSWORD."""

import os
import shlex
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import dj_database_url

root = Path(__file__).resolve().parent.parent
url = os.environ.get("DATABASE_URL") or f"sqlite:///{root / 'db.sqlite3'}"
cfg = dj_database_url.parse(url)
engine = cfg["ENGINE"].rsplit(".", 1)[-1]
out = {"DB_ENGINE": engine, "DB_NAME": str(cfg["NAME"])}
if engine == "sqlite3":
    out["DB_ENGINE"] = "sqlite"
    out["DB_NAME"] = str((root / cfg["NAME"]).resolve()) if cfg["NAME"] else ""
elif engine == "postgresql":
    parts = urlsplit(url)
    if parts.password is not None:
        # The password travels in the environment (PGPASSWORD), not on pg_dump's command line,
        # where any user of the machine could read it in the process list.
        out["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{parts.username}@{host}" if parts.username else host)
    out["DB_URL"] = urlunsplit(parts._replace(scheme="postgresql"))
    out["DB_MAINT_URL"] = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
else:
    sys.exit(f"不支持的数据库类型：{cfg['ENGINE']}（只支持 PostgreSQL 和 SQLite）")
for key, value in out.items():
    print(f"{key}={shlex.quote(value)}")
if "PGPASSWORD" in out:
    print("export PGPASSWORD")
