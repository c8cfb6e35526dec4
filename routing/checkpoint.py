"""Publishing a router checkpoint: built in a staging directory beside the target, then swapped in with renames.

A killed run never leaves a half-written checkpoint where the router would load it. Free of torch: a checkpoint of the
served members alone (no T5) is written without loading it.
"""

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .t5 import METRICS_FILE

VERSIONED_SUFFIXES = {".safetensors", ".npy", ".joblib"}


def checkpoint_publish(*, out_dir: Path, metrics: dict, write: Callable[[Path], dict | None]) -> str:
    """`write(staging)` fills the checkpoint and may return metrics to merge; returns the version (kind + file hash)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}.*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        metrics.update(write(staging) or {})
        digest = hashlib.sha256()
        for path in sorted(staging.iterdir()):
            if path.suffix in VERSIONED_SUFFIXES:
                digest.update(path.read_bytes())
        version = f"{metrics.get('kind', 't5')}-{digest.hexdigest()[:10]}"
        metrics["version"] = version
        (staging / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n")
        previous = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            out_dir.rename(previous)
        staging.rename(out_dir)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return version
