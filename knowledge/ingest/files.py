"""Finding ingestible files under the paths given to kb_ingest."""

from collections.abc import Iterable
from pathlib import Path

from knowledge.ingest.parsers import FORMATS

SKIPPED_NAMES = {"readme.md", "readme.txt", "license.md", "license.txt"}


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named explicitly, plus supported files found (recursively, sorted) in folders.

    Inside folders, hidden files, README/LICENSE files and unsupported extensions are skipped; a file named
    explicitly is always returned, so an unsupported one gets a clear rejection. Raises FileNotFoundError.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or not candidate.is_file():
                    continue
                if candidate.suffix.lower() in FORMATS and candidate.name.lower() not in SKIPPED_NAMES:
                    found.append(candidate)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return list(dict.fromkeys(found))
