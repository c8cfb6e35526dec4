"""Reading the JSON-lines files the batch commands take (kb_search, golden_lookup, memory_extract --queries)."""

import json
from pathlib import Path


class JsonlError(ValueError):
    """A file that cannot be read, or a line that is not a JSON object; the message names `path:line`."""


def read_objects(path: Path) -> list[tuple[str, dict]]:
    """("path:line", object) for each non-blank line; JsonlError at the first line that is not a JSON object."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonlError(f"Cannot read {path}: {exc}") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise JsonlError(f"{where}: each line must be a JSON object")
        rows.append((where, row))
    return rows
