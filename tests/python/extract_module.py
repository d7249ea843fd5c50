"""Reads generated DAG modules (JSON list of sources on stdin) and prints, for each:
- shape: the module's AST with every constant blanked and every task variable renamed, so two
  modules compiled from specs that differ only in values have equal shapes; any injected code
  (an extra statement, call or attribute) changes it;
- header: the spec path decoded from the first line's string literal;
- dag / tasks / notifier: the literal keyword arguments of DAG(...), of each operator call (by
  task_id) and of SmtpNotifier(...)."""

import ast
import json
import sys

# Names the emitter itself defines or imports; anything else is a task variable.
EMITTER_NAMES = {
    "DAG", "DockerOperator", "ProviderDockerOperator", "FileSensor", "SmtpNotifier", "Mount",
    "pendulum", "timedelta", "os", "DATA_ROOT", "STEP_USER", "STEP_PIDS_LIMIT", "dag",
    "RuntimeError", "self", "super", "int", "getattr", "kwargs", "client", "cpus", "name",
    "_LeastPrivilegeClient", "annotations", "property", "True", "False", "None",
}
PREFIX = "# Generated from "
SUFFIX = " by airflow-ml — do not edit."


class Blank(ast.NodeTransformer):
    def visit_Constant(self, node):
        return ast.Constant(value="_")

    def visit_Name(self, node):
        return ast.Name(id=node.id if node.id in EMITTER_NAMES else "_task", ctx=node.ctx)


def literal_kwargs(call: ast.Call) -> dict:
    out = {}
    for kw in call.keywords:
        try:
            out[kw.arg] = ast.literal_eval(kw.value)
        except ValueError:
            pass
    return out


def describe(source: str) -> dict:
    tree = ast.parse(source)
    first = source.split("\n", 1)[0]
    header = None
    if first.startswith(PREFIX) and first.endswith(SUFFIX):
        header = ast.literal_eval(first[len(PREFIX):-len(SUFFIX)])
    dag, tasks, notifier = {}, {}, {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        kwargs = literal_kwargs(node)
        if node.func.id == "DAG":
            dag = kwargs
        elif node.func.id == "SmtpNotifier":
            notifier = kwargs
        elif node.func.id in ("DockerOperator", "FileSensor"):
            tasks[kwargs["task_id"]] = kwargs
    return {
        "shape": ast.dump(Blank().visit(tree)),
        "header": header,
        "dag": dag,
        "tasks": tasks,
        "notifier": notifier,
    }


json.dump([describe(s) for s in json.load(sys.stdin)], sys.stdout)
