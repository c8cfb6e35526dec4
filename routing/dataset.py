"""Routing examples: the `{"query": ..., "tool": ...}` lines of routing/data/*.jsonl, read with line-numbered errors."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .registry import LABELS

MAX_QUERY_CHARS = 2000
DATA_DIR = Path(__file__).resolve().parent / "data"


class InvalidQuery(ValueError):
    """A query the router refuses: empty or longer than MAX_QUERY_CHARS."""


class InvalidDataset(ValueError):
    """A training or evaluation file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    query: str
    tool: str


def query_clean(query: str) -> str:
    """The query stripped of outer whitespace; raises InvalidQuery when it is empty or too long."""
    if not isinstance(query, str):
        raise InvalidQuery("the query must be a string")
    query = query.strip()
    if not query:
        raise InvalidQuery("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    return query


def examples_parse(lines: Iterable[str], *, source: str, labels: tuple[str, ...] = LABELS) -> list[Example]:
    """Parse JSON lines (blank lines skipped); raises InvalidDataset naming `source:line` at the first bad one."""
    examples: list[Example] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidDataset(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("query"), str):
            raise InvalidDataset(f"{source}:{number}: expected an object with a string 'query' and 'tool'")
        tool = record.get("tool")
        if tool not in labels:
            raise InvalidDataset(f"{source}:{number}: unknown tool {tool!r} (known: {', '.join(labels)})")
        try:
            query = query_clean(record["query"])
        except InvalidQuery as exc:
            raise InvalidDataset(f"{source}:{number}: {exc}") from None
        examples.append(Example(query=query, tool=tool))
    if not examples:
        raise InvalidDataset(f"{source}: no examples")
    return examples


def examples_read(path: Path, *, labels: tuple[str, ...] = LABELS) -> list[Example]:
    """Read a JSONL file of routing examples; raises InvalidDataset for a missing file or a malformed line."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            return examples_parse(handle, source=str(path), labels=labels)
    except OSError as exc:
        raise InvalidDataset(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InvalidDataset(f"{path}: not UTF-8 text") from None
