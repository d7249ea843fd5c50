"""The Airflow part of the stack's one-shot setup (docker/stack/airflow-init.sh runs it after
`airflow db migrate`, as AIRFLOW_UID).

1. The admin user (FAB): created if missing, its password set from the secret file when it
   differs, so `.env` (AIRFLOW_PASSWORD, written to the file by `airflow-ml up`) stays the one
   place the login is set.
2. Variable PROD_DIR, only when missing: a model promotion changes it, a restart must not.
3. Connections fs_default (the data root, at the same path as on the host) and smtp_default
   (from SMTP_*, the password from its secret file; with SMTP_HOST empty, the stack's local
   mail sink: no login, no TLS, a fixed sender), replaced on every run so a changed `.env`
   takes effect on the next `up`.

Why Python and not `airflow users create --password ...`: a password on a command line is
visible to every process on the host (`ps`), and a value starting with `-` would be parsed as
a flag. Here secrets are read from files (compose secrets under /run/secrets, or
AIRFLOW_ML_SECRETS_DIR) and never leave this process; only names are printed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from pathlib import Path

SECRETS_DIR = Path(os.environ.get("AIRFLOW_ML_SECRETS_DIR") or "/run/secrets")
# The sender of alerts delivered to the local mail sink (also SMTP_FROM's last fallback).
SINK_FROM = "airflow-ml@localhost"


def log(message: str) -> None:
    print(f"[airflow-init] {message}", flush=True)


def secret(name: str) -> str:
    """A secret file's exact content ("" when the file is missing or empty)."""
    try:
        return (SECRETS_DIR / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def truthy(value: str | None) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def ensure_admin() -> None:
    from airflow.providers.fab.auth_manager.cli_commands.utils import (
        get_application_builder,
    )
    from werkzeug.security import check_password_hash

    username = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
    password = secret("admin_password")
    if not password:
        sys.exit(
            f"[airflow-init] {SECRETS_DIR / 'admin_password'} is missing or empty: "
            "set AIRFLOW_PASSWORD in .env and run `airflow-ml up`"
        )
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role("Admin")
            if not sm.add_user(
                username, "Airflow", "Admin", "admin@example.com", role, password
            ):
                sys.exit(f"[airflow-init] could not create the admin user {username!r}")
            log(f"admin user {username!r} created")
        elif not check_password_hash(user.password or "", password):
            if not sm.reset_password(user.id, password):
                sys.exit(f"[airflow-init] could not set the password of {username!r}")
            log(f"admin user {username!r}: password updated from the secret file")
        else:
            log(f"admin user {username!r} exists")


def ensure_prod_dir() -> None:
    from airflow.models.variable import Variable
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        if session.scalar(select(Variable).where(Variable.key == "PROD_DIR")) is None:
            # The alias promotion moves; the same default as cli/ops/deploy/settings.ts DEFAULT_PROD_DIR.
            value = os.environ.get("AIRFLOW_ML_PROD_DIR") or "models/production"
            session.add(Variable(key="PROD_DIR", val=value))
            log("variable PROD_DIR created")
        else:
            log("variable PROD_DIR kept")


def connections() -> dict[str, dict]:
    env = os.environ.get
    conns: dict[str, dict] = {
        "fs_default": {
            "conn_type": "fs",
            "extra": {"path": env("AIRFLOW_ML_DATA_ROOT")},
        },
    }
    if env("SMTP_HOST"):
        ssl = truthy(env("SMTP_SSL", "false"))
        starttls = truthy(env("SMTP_STARTTLS", "false" if ssl else "true"))
        user = env("SMTP_USER") or None
        conns["smtp_default"] = {
            "conn_type": "smtp",
            "host": env("SMTP_HOST"),
            "port": int(env("SMTP_PORT") or (465 if ssl else 587 if starttls else 25)),
            "login": user,
            "password": secret("smtp_password") or None,
            "extra": {
                "disable_ssl": not ssl,
                "disable_tls": not starttls,
                "from_email": env("SMTP_FROM")
                or (user if user and "@" in user else SINK_FROM),
            },
        }
    elif env("AIRFLOW_ML_MAIL_SINK_HOST"):
        # The stack's mail-sink service (docker-compose.yml): plain SMTP on the compose
        # network, so alerts arrive somewhere `airflow-ml alerts list` can read them.
        conns["smtp_default"] = {
            "conn_type": "smtp",
            "host": env("AIRFLOW_ML_MAIL_SINK_HOST"),
            "port": int(env("AIRFLOW_ML_MAIL_SINK_PORT") or 1025),
            "login": None,
            "password": None,
            "extra": {
                "disable_ssl": True,
                "disable_tls": True,
                "from_email": SINK_FROM,
            },
        }
    return conns


def replace_connections() -> None:
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    wanted = connections()
    with create_session() as session:
        for conn_id, spec in wanted.items():
            old = session.scalar(
                select(Connection).where(Connection.conn_id == conn_id)
            )
            if old is not None:
                session.delete(old)
                session.flush()
            session.add(
                Connection(
                    conn_id=conn_id,
                    conn_type=spec["conn_type"],
                    host=spec.get("host"),
                    login=spec.get("login"),
                    password=spec.get("password"),
                    port=spec.get("port"),
                    extra=json.dumps(spec["extra"]),
                )
            )
    log(f"connections: {', '.join(wanted)}")


def main() -> None:
    if not os.environ.get("AIRFLOW_ML_DATA_ROOT"):
        sys.exit(
            "[airflow-init] AIRFLOW_ML_DATA_ROOT must be the data root's absolute host path"
        )
    # FAB logs every permission it creates at INFO, and Airflow's imports warn about
    # deprecations; this script prints its own summary instead (warnings and errors still show).
    logging.disable(logging.INFO)
    warnings.simplefilter("ignore")
    ensure_admin()
    ensure_prod_dir()
    replace_connections()


if __name__ == "__main__":
    main()
