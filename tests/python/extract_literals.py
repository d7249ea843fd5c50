"""Reads generated DAG modules (JSON list of sources on stdin) and prints, for each, the values
of the literals the hostile-string property test injects, plus the module's shape with every
constant blanked out. Equal shapes across all samples mean no input changed the code's structure."""

import ast
import json
import sys


def shape(tree: ast.AST) -> str:
    class Blank(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.Constant:
            return ast.Constant(value="_")

    return ast.dump(Blank().visit(tree))


def literal_kwargs(tree: ast.AST, func_name: str) -> dict:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == func_name:
            return {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg in LITERAL_KWARGS}
    return {}


LITERAL_KWARGS = {"description", "tags", "environment", "filepath", "command"}

out = []
for source in json.load(sys.stdin):
    tree = ast.parse(source)
    values = {**literal_kwargs(tree, "DAG"), **literal_kwargs(tree, "DockerOperator"), **literal_kwargs(tree, "FileSensor")}
    out.append({"shape": shape(tree), "values": values})
json.dump(out, sys.stdout)
