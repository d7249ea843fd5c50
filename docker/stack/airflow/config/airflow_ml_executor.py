"""The stack's executor: Airflow's LocalExecutor, except that a try lost with its scheduler is refunded.

When the scheduler process dies (killed, OOM, a Docker daemon restart), the tasks it was running
die with it. The next scheduler finds them orphaned (their SchedulerJob stopped heartbeating) and
asks its executor to adopt them; LocalExecutor cannot, so Airflow resets them and schedules them
again, which counts as a new try. A step would then lose a retry to a fault that was not its own,
and with `retries: 1` one restart during a step plus one real failure would fail the run.

This subclass raises such a task instance's `max_tries` by one before it is reset: the abandoned
try is recorded in the task's history as usual (state `running`), and the next one does not eat
into the user's retries. At most MAX_REFUNDS tries of one task instance are refunded, so a task
that itself brings its scheduler down (a step exhausting the host's memory, say) still ends.

Mounted at $AIRFLOW_HOME/config (on Airflow's sys.path) and named by AIRFLOW__CORE__EXECUTOR in
docker-compose.yml; docs/stack.md ("Recovery") explains the timings around it.
"""

from __future__ import annotations

import logging

from airflow.executors.local_executor import LocalExecutor
from airflow.models.taskinstancehistory import TaskInstanceHistory
from airflow.utils.state import State
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

log = logging.getLogger(__name__)

MAX_REFUNDS = 3
# The states a try is recorded with when a dead scheduler's task is reset (see
# SchedulerJobRunner.adopt_or_reset_orphaned_tasks): it never reached an end of its own.
_ABANDONED_STATES = sorted(s.value for s in State.adoptable_states)


def refunds_so_far(session, ti) -> int:
    """How many earlier tries of this task instance were abandoned by a dead scheduler."""
    return session.scalar(
        select(func.count())
        .select_from(TaskInstanceHistory)
        .where(
            TaskInstanceHistory.dag_id == ti.dag_id,
            TaskInstanceHistory.run_id == ti.run_id,
            TaskInstanceHistory.task_id == ti.task_id,
            TaskInstanceHistory.map_index == ti.map_index,
            TaskInstanceHistory.state.in_(_ABANDONED_STATES),
        )
    )


class RefundingLocalExecutor(LocalExecutor):
    """LocalExecutor that refunds the try of a task instance orphaned by a dead scheduler."""

    def try_adopt_task_instances(self, tis):
        # LocalExecutor adopts nothing: every one of these is reset by the caller, in the
        # caller's session, which also commits the max_tries raised here. Only that session
        # is used: Airflow's sessions are scoped, and closing "another" one would detach the
        # caller's task instances.
        orphans = list(super().try_adopt_task_instances(tis))
        for ti in orphans:
            refunded = refunds_so_far(object_session(ti), ti)
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
            log.warning(
                "airflow-ml: %s lost try %s with its scheduler; refunded (max_tries now %s)",
                ti,
                ti.try_number,
                ti.max_tries,
            )
        return orphans
