"""The Python side of the step contract: flags, the data root, errors and atomic outputs.

It reads the step's compiled contract (step.yaml as the compiler checked it, baked into the
image at /app/.airflow-ml/contract.json by `airflow-ml images build`), so a Python step and
the DAGs can never disagree on a flag's name, type or bounds; it follows the same rules as
the TypeScript steps (docker/steps/src/lib/args.ts): --name value or --name=value, every
input and output required, absolute and inside the data root, --ds YYYY-MM-DD, params
typed and bounded, defaults from the contract, unknown or repeated flags rejected.

Exit codes: 2 bad flags, 3 bad input, 4 a quality gate, 70 internal (docker/steps/README.md).
"""

import datetime
import json
import math
import os
import re
import sys
import tempfile

USAGE, INPUT, CHECK, INTERNAL = 2, 3, 4, 70


class StepError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def usage_error(message):
    return StepError(message, USAGE)


def input_error(message):
    return StepError(message, INPUT)


def check_error(message):
    return StepError(message, CHECK)


def contract_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get(
        "AIRFLOW_ML_STEP_CONTRACT", os.path.join(here, "contract.json")
    )


def load_contract(path=None):
    with open(path or contract_path(), encoding="utf-8") as f:
        return json.load(f)


def data_root():
    return os.environ.get("AIRFLOW_ML_STEP_DATA_ROOT", "/data")


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_args(contract, argv):
    """{"ds": str, "paths": {name: abs path}, "params": {name: value or None}}."""
    kinds = {"ds": "ds"}
    for name in list(contract["inputs"]) + list(contract["outputs"]):
        kinds[name] = "path"
    for name in contract["params"]:
        kinds[name] = "param"
    raw = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--") or arg == "--":
            raise usage_error(f'unexpected argument "{arg}"; flags are --name value')
        name, eq, value = arg[2:].partition("=")
        if name not in kinds:
            known = ", ".join(f"--{k}" for k in kinds)
            raise usage_error(f"unknown flag --{name}; known: {known}")
        if name in raw:
            raise usage_error(f"flag --{name} given twice")
        if not eq:
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                raise usage_error(f"flag --{name} needs a value")
            i += 1
            value = argv[i]
        raw[name] = value
        i += 1

    ds = raw.get("ds")
    if ds is None:
        raise usage_error("missing required flag --ds (YYYY-MM-DD)")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", ds) or not _valid_date(ds):
        raise usage_error(f'--ds must be a date YYYY-MM-DD (got "{ds}")')

    paths = {}
    for name in list(contract["inputs"]) + list(contract["outputs"]):
        value = raw.get(name)
        if value is None:
            raise usage_error(f"missing required flag --{name}")
        if not value.startswith("/"):
            raise usage_error(f'--{name} must be an absolute path (got "{value}")')
        _check_inside_data_root(name, value)
        paths[name] = value

    params = {}
    for name, spec in contract["params"].items():
        value = raw.get(name)
        params[name] = (
            spec.get("default") if value is None else parse_param(name, spec, value)
        )
    return {"ds": ds, "paths": paths, "params": params}


def _valid_date(ds):
    try:
        datetime.date.fromisoformat(ds)
        return True
    except ValueError:
        return False


def _check_inside_data_root(name, value):
    root = data_root()

    def inside(p, r):
        return p == r or p.startswith(r + "/")

    normal = os.path.normpath(value)
    if not inside(normal, root):
        raise usage_error(f"--{name} {value} is outside the data root {root}")
    if not os.path.exists(root):
        return
    probe = normal
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    real = os.path.realpath(probe)
    if not inside(real, os.path.realpath(root)):
        raise usage_error(
            f"--{name} {value} leads to {real} (a symbolic link), outside the data root {root}"
        )


def parse_param(name, spec, value):
    flag = f"--{name}"
    kind = spec["type"]
    if kind == "string":
        return value
    if kind == "boolean":
        if value not in ("true", "false"):
            raise usage_error(f'{flag} must be true or false (got "{value}")')
        return value == "true"
    article = "an integer" if kind == "integer" else "a number"
    if not _NUMBER.match(value):
        raise usage_error(f'{flag} must be {article} (got "{value}")')
    n = float(value)
    if not math.isfinite(n):
        raise usage_error(f'{flag} must be a finite number (got "{value}")')
    if kind == "integer":
        if not n.is_integer() or abs(n) > 2**53 - 1:
            raise usage_error(f'{flag} must be an integer (got "{value}")')
        n = int(n)
    for key, op, ok in (
        ("minimum", ">=", lambda a, b: a >= b),
        ("maximum", "<=", lambda a, b: a <= b),
        ("exclusiveMinimum", ">", lambda a, b: a > b),
        ("exclusiveMaximum", "<", lambda a, b: a < b),
    ):
        if key in spec and not ok(n, spec[key]):
            raise usage_error(f"{flag} must be {op} {_num(spec[key])} (got {value})")
    return n


def _num(x):
    return str(int(x)) if float(x).is_integer() else str(x)


def write_atomic(path, data):
    """Writes bytes under a hidden temp name in the final folder, then renames it into place."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.tmp-", dir=folder)
    except PermissionError:
        raise input_error(
            f"{path}: cannot write: permission denied (check the uid the step runs as)"
        ) from None
    try:
        os.fchmod(fd, 0o644)  # as the TypeScript steps: readable by the sensors' uid
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run_main(step, run):
    """The process boundary: one summary line on stdout, or one error line on stderr."""
    try:
        summary = run(sys.argv[1:])
        sys.stdout.write(f"{step}: {summary}\n")
    except StepError as e:
        sys.stderr.write(f"{step}: error: {' '.join(str(e).split())}\n")
        sys.exit(e.code)
    except Exception as e:  # noqa: BLE001 - the boundary: anything else is internal
        _internal(step, e)


def open_input(path, mode="r", **kwargs):
    """open() for a file the step was given to read: a missing, unreadable or directory
    input is the input's error (exit 3, not retried), named as the TypeScript steps' fsError
    names it. Any other file's trouble stays an internal error (exit 70, retried)."""
    try:
        return open(path, mode, **kwargs)
    except FileNotFoundError:
        reason = "no such file or directory"
    except IsADirectoryError:
        reason = "is a directory, expected a file"
    except NotADirectoryError:
        reason = "a part of the path is not a directory"
    except PermissionError:
        reason = "permission denied (check the uid the step runs as)"
    raise input_error(f"{path}: cannot read: {reason}")


def _internal(step, e):
    if os.environ.get("AIRFLOW_ML_DEBUG"):
        import traceback

        traceback.print_exc()
    sys.stderr.write(f"{step}: internal error: {' '.join(str(e).split())}\n")
    sys.exit(INTERNAL)
