"""Reads split's train.bin / val.bin (docker/steps/README.md, "Intermediate formats")."""

import json
import struct

import numpy as np

MAGIC = b"AFMLMAT1"


def read_matrix(path):
    """(feature names, x float32 rows x cols, y uint8) of an AFMLMAT1 file."""
    from airflow_ml_step import input_error

    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:8] != MAGIC:
                raise input_error(
                    f"{path}: not an airflow-ml matrix (no {MAGIC.decode()} header)"
                )
            (size,) = struct.unpack("<I", head[8:12])
            header = json.loads(f.read(size))
    except FileNotFoundError:
        raise input_error(f"{path}: cannot read: no such file or directory") from None
    if header.get("formatVersion") != 1 or header.get("dtype") != "float32":
        raise input_error(
            f"{path}: unsupported matrix format {header.get('formatVersion')!r}"
        )
    rows, cols = header["rows"], header["cols"]
    offset = 12 + size
    x = np.fromfile(path, dtype="<f4", count=rows * cols, offset=offset).reshape(
        rows, cols
    )
    offset += rows * cols * 4 + rows * 4  # the row index is not needed to train
    y = np.fromfile(path, dtype="u1", count=rows, offset=offset)
    if len(y) != rows:
        raise input_error(f"{path}: truncated: the header says {rows} rows")
    return header["features"], x, y
