import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.dataset import DATA_DIR, InvalidDataset, examples_read
from routing.ensemble import DEFAULT_MEMBERS, MEMBERS
from routing.registry import LABELS


class Command(BaseCommand):
    help = (
        "Train the router's served members (--members, default semantic+lexical) and write them with metrics.json "
        "atomically to --out (default ROUTER_MODEL_DIR). The T5 member is trained only when it is served or asked for "
        "(--with-t5): without --base-model a small T5 from scratch with a tokenizer trained on our data and the demo "
        "corpus; with --base-model a fine-tuned local FLAN-T5."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-model", type=Path, help="a local FLAN-T5 directory (e.g. flan-t5-small) to fine-tune"
        )
        parser.add_argument("--epochs", type=int, help="passes over the training set (default: the tuned setting)")
        parser.add_argument("--out", type=Path, help="checkpoint directory (default: ROUTER_MODEL_DIR)")
        parser.add_argument("--seed", type=int, help="random seed (default 1234); same seed, same model")
        parser.add_argument("--train", type=Path, default=DATA_DIR / "train.jsonl", help="training JSONL")
        parser.add_argument(
            "--dev", type=Path, default=DATA_DIR / "dev.jsonl", help="dev JSONL (measured, never trained on)"
        )
        parser.add_argument("--no-dev", action="store_true", help="do not measure on a dev set")
        parser.add_argument(
            "--members",
            default=",".join(DEFAULT_MEMBERS),
            help=f"which of {','.join(MEMBERS)} answer (probabilities averaged); default: the best on the dev set, "
            f"{','.join(DEFAULT_MEMBERS)}. The T5 is trained only when it is one of them or with --with-t5.",
        )
        parser.add_argument(
            "--with-t5",
            action="store_true",
            help="also train the T5 member and save it beside the served ones (for comparisons, bench/router_compare.py); "
            "~5-9 minutes on 2 cores",
        )
        parser.add_argument(
            "--threads", type=int, help="torch threads (default: all cores when the machine is idle, else 1)"
        )
        parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")

    def handle(self, *args, **options) -> None:
        members = tuple(m.strip() for m in options["members"].split(",") if m.strip())
        if not members or set(members) - set(MEMBERS):
            raise CommandError(f"--members must be a comma list of {', '.join(MEMBERS)}", returncode=2)
        if options["epochs"] is not None and options["epochs"] < 1:
            raise CommandError("--epochs must be at least 1", returncode=2)
        if options["threads"] is not None and options["threads"] < 1:
            raise CommandError("--threads must be at least 1", returncode=2)
        import torch

        torch.set_num_threads(options["threads"] or _default_threads())
        base_model: Path | None = options["base_model"]
        if base_model is not None and not (base_model / "config.json").is_file():
            raise CommandError(f"--base-model {base_model} is not a model directory (no config.json)", returncode=2)
        with_t5 = options["with_t5"] or "t5" in members or base_model is not None
        try:
            train = examples_read(options["train"])
            dev = None if options["no_dev"] else examples_read(options["dev"])
        except InvalidDataset as exc:
            raise CommandError(str(exc), returncode=2) from None
        if dev and {e.query.casefold() for e in dev} & {e.query.casefold() for e in train}:
            raise CommandError("the dev set shares queries with the training set: it must stay unseen", returncode=2)
        out_dir = Path(options["out"] or settings.ROUTER_MODEL_DIR)
        started = time.monotonic()
        if with_t5:
            version, trained = self._train_with_t5(options, train=train, dev=dev, members=members, out_dir=out_dir)
        else:
            from routing.ensemble import members_train

            version, trained = members_train(
                train=train,
                dev=dev,
                labels=LABELS,
                out_dir=out_dir,
                members=members,
                progress=not options["json"] and options["verbosity"] > 0,
            )
        metrics = {**trained, "wall_seconds": round(time.monotonic() - started, 1), "directory": str(out_dir)}
        if options["json"]:
            self.stdout.write(json.dumps({k: v for k, v in metrics.items() if k != "config"}))
            return
        dev_text = (
            f", dev accuracy {metrics['dev_accuracy']:.3f} on {metrics['n_dev']}" if "dev_accuracy" in metrics else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Router {version} written to {out_dir}: {metrics['n_train']} training queries, "
                f"{metrics['train_seconds']:.0f} s{dev_text}."
            )
        )

    def _train_with_t5(self, options: dict, *, train: list, dev: list | None, members: tuple[str, ...], out_dir: Path):
        from routing.t5.training import TrainingConfig, router_train

        overrides = {key: options[key] for key in ("epochs", "seed") if options[key] is not None}
        base_model: Path | None = options["base_model"]
        result = router_train(
            train=train,
            dev=dev,
            labels=LABELS,
            out_dir=out_dir,
            corpus=[] if base_model else _demo_corpus(),
            base_model=base_model,
            config=TrainingConfig(**overrides),
            progress=not options["json"] and options["verbosity"] > 0,
            extras=None if members == ("t5",) else _ensemble_members(train, dev, members),
        )
        return result.version, result.metrics


def _ensemble_members(train: list, dev: list | None, members: tuple[str, ...]):
    from routing.ensemble import members_write

    def write(directory: Path, t5) -> dict:
        return members_write(directory=directory, train=train, labels=LABELS, t5=t5, dev=dev, members=members)

    return write


def _default_threads() -> int:
    # OpenMP threads spin-wait: on a busy 2-core machine two threads measured ~10x slower than one. "Busy" is measured
    # now (CPU time over a quarter second), not by the 1-minute load average, which still counts a step that just ended
    # (make run trains right after the ingest) and halved the speed of a training run on an idle machine.
    cores = os.cpu_count() or 1
    busy = _busy_cores()
    return cores if busy < 0.5 * cores else 1


def _busy_cores(interval: float = 0.25) -> float:
    """How many cores other processes are using right now (Linux /proc/stat; elsewhere the 1-minute load average)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total_before, idle_before = sample()
        time.sleep(interval)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0]
    elapsed = total_after - total_before
    if elapsed <= 0:
        return 0.0
    return (os.cpu_count() or 1) * (1 - (idle_after - idle_before) / elapsed)


def _demo_corpus() -> list[str]:
    """The demo knowledge base, for the tokenizer's vocabulary (whatever is there; none is fine)."""
    root = Path(settings.BASE_DIR) / "knowledge" / "demo"
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(root.glob("**/*.md"))]
