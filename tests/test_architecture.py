"""The layer rules that no import contract can see (the import rules themselves are
import-linter's contracts in pyproject.toml, run by scripts/check; imports inside
functions are refused by ruff's PLC0415). docs/architecture.md explains them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITES = {"add", "add_all", "delete", "merge", "flush", "commit"}  # methods of a database session
SQL_WRITES = {"insert", "update", "delete"}  # statements built with SQLAlchemy


def _writes(path: Path) -> list[str]:
    found = []
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sql_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("sqlalchemy", "sqlmodel"))
        for alias in node.names
        if alias.name in SQL_WRITES
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITES and isinstance(func.value, ast.Name):
            if func.value.id in {"db", "session"}:
                found.append(f"{name}:{node.lineno} {func.value.id}.{func.attr}()")
        elif isinstance(func, ast.Name) and func.id in sql_names:
            found.append(f"{name}:{node.lineno} {func.id}()")
    return found


def test_the_transport_never_writes_a_table_itself() -> None:
    """app/live turns frames into calls of the domain services and delivers what they
    produce; every write happens in a service, inside the caller's unit of work."""
    live = sorted((ROOT / "app" / "live").glob("*.py"))
    assert live
    writes = [w for path in live for w in _writes(path)]
    assert not writes, writes


def test_the_write_detector_sees_a_write(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sqlalchemy import delete\n\nasync def f(db, row):\n    db.add(row)\n    await db.exec(delete(row))\n",
        encoding="utf-8",
    )
    assert len(_writes(sample)) == 2


def test_services_never_commit() -> None:
    """The unit of work commits (app/db.py); a service that committed would publish its
    events' acknowledgement before the caller's work is whole."""
    commits = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path.name not in ("db.py", "migrations.py")  # the unit of work; the migration runner
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]
    assert not commits, commits
