"""The stack's executor: Airflow's LocalExecutor, except that a try lost with its scheduler is refunded.

When the scheduler process dies (killed, OOM, a Docker daemon restart), the tasks it was running
die with it. The next scheduler finds them orphaned (their SchedulerJob stopped heartbeating) and
asks its executor to adopt them; LocalExecutor cannot, so Airflow resets them and schedules them
again, which counts as a new try. A step would then lose a retry to a fault that was not its own,
and with `retries: 1` one restart during a step plus one real failure would fail the run.

This subclass raises such a task instance's `max_tries` by one before it is reset, and records the
refund as an event in Airflow's audit log (REFUND_EVENT; UI: Browse > Audit Log). The abandoned
try is archived in the task's history as usual (Airflow marks an unfinished try failed), and the
next one does not eat into the user's retries. At most MAX_REFUNDS tries of one task instance are
refunded, counted from those events, so a task that itself brings its scheduler down (a step
whose output exhausts the scheduler's memory, say) still ends.

Mounted at $AIRFLOW_HOME/config (on Airflow's sys.path) and named by AIRFLOW__CORE__EXECUTOR in
docker-compose.yml; docs/stack.md ("Recovery") explains the timings around it.
"""

from __future__ import annotations

import json
import logging

from airflow.executors.local_executor import LocalExecutor
from airflow.models.log import Log
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

log = logging.getLogger(__name__)

MAX_REFUNDS = 3
# The audit-log event of a refund: one per refunded try, with the task instance's key.
REFUND_EVENT = "airflow_ml.refunded_try"


def refunds_so_far(session, ti) -> int:
    """How many tries of this task instance were refunded before (their audit-log events)."""
    return session.scalar(
        select(func.count())
        .select_from(Log)
        .where(
            Log.event == REFUND_EVENT,
            Log.dag_id == ti.dag_id,
            Log.run_id == ti.run_id,
            Log.task_id == ti.task_id,
            Log.map_index == ti.map_index,
        )
    )


class RefundingLocalExecutor(LocalExecutor):
    """LocalExecutor that refunds the try of a task instance orphaned by a dead scheduler."""

    def try_adopt_task_instances(self, tis):
        # LocalExecutor adopts nothing: every one of these is reset by the caller, in the
        # caller's session, which also commits what is changed and added here. Only that
        # session is used: Airflow's sessions are scoped, and closing "another" one would
        # detach the caller's task instances.
        orphans = list(super().try_adopt_task_instances(tis))
        for ti in orphans:
            session = object_session(ti)
            refunded = refunds_so_far(session, ti)
            if refunded >= MAX_REFUNDS:
                log.warning(
                    "airflow-ml: %s lost try %s with its scheduler; %s tries were already "
                    "refunded, so this one counts against its retries",
                    ti,
                    ti.try_number,
                    refunded,
                )
                continue
            ti.max_tries = ti.max_tries + 1
            extra = {
                "reason": "its scheduler died",
                "refund": refunded + 1,
                "max_tries": ti.max_tries,
            }
            session.add(
                Log(REFUND_EVENT, task_instance=ti.key, extra=json.dumps(extra))
            )
            log.warning(
                "airflow-ml: %s lost try %s with its scheduler; refunded (max_tries now %s)",
                ti,
                ti.try_number,
                ti.max_tries,
            )
        return orphans
