"""Drives the stack's RefundingLocalExecutor (docker/stack/airflow/config) against Airflow's real
Log model in an in-memory SQLite database: an orphan is refunded at most MAX_REFUNDS times,
each refund is one audit-log event, and other task instances' events do not count.
Prints a JSON summary for tests/integration/stack/refund-cap.test.ts."""

from __future__ import annotations

import json
import sys

sys.path.insert(0, sys.argv[1])

import airflow_ml_executor as executor_module
from airflow.models.log import Log
from airflow.models.taskinstancekey import TaskInstanceKey
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

engine = create_engine("sqlite://")
Log.__table__.create(engine)
session = Session(engine)
executor_module.object_session = lambda ti: session


class Orphan:
    """The attributes of a TaskInstance the executor reads; key follows try_number, as Airflow's."""

    def __init__(self, task_id: str, try_number: int, max_tries: int):
        self.dag_id = "generate_data"
        self.task_id = task_id
        self.run_id = "manual__2026-03-01T00:00:00+00:00"
        self.map_index = -1
        self.try_number = try_number
        self.max_tries = max_tries

    @property
    def key(self):
        return TaskInstanceKey(
            self.dag_id, self.task_id, self.run_id, self.try_number, self.map_index
        )


executor = executor_module.RefundingLocalExecutor()
ti = Orphan("generate", 1, 1)
other = Orphan("other", 1, 1)
max_tries_after = []
for try_number in range(1, 6):
    ti.try_number = try_number
    returned = executor.try_adopt_task_instances([ti])
    session.flush()
    max_tries_after.append(ti.max_tries)
executor.try_adopt_task_instances([other])
session.flush()
events = session.execute(
    select(Log.task_id, Log.try_number, Log.extra).order_by(Log.id)
).all()
print(
    json.dumps(
        {
            "returned_same": returned == [ti],
            "max_tries_after_each_reset": max_tries_after,
            "events": [[t, n, json.loads(e)] for t, n, e in events],
            "event_name": executor_module.REFUND_EVENT,
        }
    )
)
