"""Airflow's verdict on cron schedules, from this venv: for each expression on stdin (a JSON list),
whether Airflow's cron timetable accepts it (the check a DAG file's import runs, which is croniter's)
and, when it does, its next three fire times after 2026-01-01T00:00 UTC (naive ISO, UTC)."""

import datetime
import json
import sys

from croniter import croniter
from airflow.sdk.definitions.timetables._cron import CRON_PRESETS
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

START = datetime.datetime(2026, 1, 1)
out = []
for expression in json.load(sys.stdin):
    try:
        CronTriggerTimetable(expression, timezone="UTC").validate()
        it = croniter(CRON_PRESETS.get(expression, expression), start_time=START)
        nxt = [it.get_next(datetime.datetime).isoformat() for _ in range(3)]
        out.append({"expression": expression, "ok": True, "next": nxt})
    except Exception as e:  # any exception fails the DAG's import
        out.append({"expression": expression, "ok": False, "error": f"{type(e).__name__}: {e}"})
json.dump(out, sys.stdout)
