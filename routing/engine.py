"""The process-wide router: loaded on first use (thread-safe), reloaded when `train_router` swaps in a new checkpoint.

A missing or broken checkpoint is not an error here: `router_get()` returns None, the pipeline abstains, and the log
says (once per process) how to build one.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from .registry import LABELS
from .t5 import METRICS_FILE, CheckpointError

if TYPE_CHECKING:
    from .t5.model import T5Router

logger = logging.getLogger(__name__)

TRAIN_HINT = (
    "run `python manage.py train_router` (1-2 minutes on 2 idle CPU cores, up to ~6 on a busy machine) to build it"
)


@dataclass(frozen=True)
class _Loaded:
    signature: tuple | None  # identifies the checkpoint files the router was loaded from
    router: "T5Router | None"
    problem: str


_lock = threading.Lock()
_loaded: _Loaded | None = None
_warned_problems: set[str] = set()
_threads_set = False


def router_directory() -> Path:
    return Path(settings.ROUTER_MODEL_DIR)


def _signature(directory: Path) -> tuple | None:
    # metrics.json is written last and the directory is renamed into place, so a new checkpoint has a new file here.
    try:
        stat = (directory / METRICS_FILE).stat()
    except OSError:
        return None
    return (str(directory), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def router_get() -> "T5Router | None":
    """The loaded router, or None when there is no usable checkpoint. Costs one stat() once loaded."""
    directory = router_directory()
    signature = _signature(directory)
    loaded = _loaded
    if loaded is not None and loaded.signature == signature:
        return loaded.router
    with _lock:
        loaded = _loaded
        if loaded is None or loaded.signature != signature:
            loaded = _load(directory, signature)
            globals()["_loaded"] = loaded
    return loaded.router


def router_problem() -> str:
    """Why there is no router ("" when one is loaded)."""
    router_get()
    return _loaded.problem if _loaded is not None else ""


def router_reset() -> None:
    """Forget the loaded router (tests; after training in the same process)."""
    global _loaded
    with _lock:
        _loaded = None
        _warned_problems.clear()


def _load(directory: Path, signature: tuple | None) -> _Loaded:
    if signature is None:
        return _unusable(signature, f"no router checkpoint in {directory}")
    _set_torch_threads()
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars would go to the server's stderr
    try:
        router = _router_class(directory).load(directory, labels=LABELS)
        router.rank("warm up")  # the first call allocates; do it here, not in a user's request
    except CheckpointError as exc:
        return _unusable(signature, str(exc))
    except Exception as exc:  # a checkpoint that loads but cannot score (wrong shapes, wrong vocabulary)
        return _unusable(signature, f"router checkpoint in {directory} cannot score: {type(exc).__name__}: {exc}")
    finally:
        transformers_logging.enable_progress_bar()
    trained_on = _trained_labels(router)
    if trained_on and tuple(trained_on) != LABELS:
        logger.warning(
            "router checkpoint was trained on other tools than the registry has: retrain it",
            extra={"checkpoint_labels": trained_on, "registry_labels": list(LABELS), "hint": TRAIN_HINT},
        )
    logger.info("router loaded", extra={"model_version": router.version, "directory": str(directory)})
    return _Loaded(signature=signature, router=router, problem="")


def _router_class(directory: Path) -> type:
    import json

    from .ensemble import EnsembleRouter
    from .t5.model import T5Router

    try:
        kind = json.loads((directory / METRICS_FILE).read_text()).get("kind", "t5")
    except (OSError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"router checkpoint in {directory} has no readable {METRICS_FILE}: {exc}") from exc
    return T5Router if kind == "t5" else EnsembleRouter  # "lexical", "t5+knn+lexical", ...


def _unusable(signature: tuple | None, problem: str) -> _Loaded:
    if problem not in _warned_problems:
        _warned_problems.add(problem)
        logger.warning(f"{problem}: the router abstains on every query; {TRAIN_HINT}", extra={"hint": TRAIN_HINT})
    return _Loaded(signature=signature, router=None, problem=problem)


def _trained_labels(router: "T5Router") -> list[str]:
    return list(router.metrics.get("labels") or [])


def _set_torch_threads() -> None:
    # torch's thread pool is per process and shared with the embedding model; set it once, before the first load.
    global _threads_set
    if not _threads_set:
        import torch

        torch.set_num_threads(int(getattr(settings, "ROUTER_TORCH_THREADS", 1)))
        _threads_set = True
