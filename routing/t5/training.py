"""Training the T5 router: from scratch (our tokenizer, a small config) or by fine-tuning a local FLAN-T5.

The checkpoint is built in a temporary directory beside the target and renamed into place, so a killed run never
leaves a half-written checkpoint where the router would load it.
"""

import logging
import os
import platform
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..checkpoint import checkpoint_publish
from ..dataset import Example
from . import TOKENIZER_FILE, WEIGHTS_FILE
from .model import T5Router, label_log_likelihoods, label_sequences_build

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int | None = None  # None: as many passes as fit in `step_budget` (at most `max_epochs`)
    max_epochs: int = 20
    step_budget: int = 1300  # ~1.5 minutes on 2 idle cores; keeps training time flat as the data grows
    batch_size: int = 32
    learning_rate: float = 1e-3  # from scratch; fine-tuning uses `fine_tune_learning_rate`
    fine_tune_learning_rate: float = 5e-4
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    typo_rate: float = 0.5  # share of training queries given one or two character typos each epoch
    word_dropout: float = 0.0  # chance of dropping each word of a 3+ word query, per epoch
    label_smoothing: float = 0.0
    seed: int = 1234
    vocab_size: int = 8000  # a ceiling: the Unigram trainer keeps ~3,500 pieces on our data and demo corpus
    # d_model 128 x 3 encoder layers: a training step costs ~1/4 of 256 x 4, which keeps training near 2 minutes.
    d_model: int = 128
    d_ff: int = 512
    num_layers: int = 3
    num_decoder_layers: int = 1
    num_heads: int = 4
    d_kv: int = 32
    dropout_rate: float = 0.1


@dataclass(frozen=True)
class TrainingResult:
    directory: Path
    version: str
    metrics: dict


def router_train(
    *,
    train: list[Example],
    labels: tuple[str, ...],
    out_dir: Path,
    dev: list[Example] | None = None,
    corpus: Iterable[str] = (),
    base_model: Path | None = None,
    config: TrainingConfig | None = None,
    progress: bool = False,
    on_epoch: Callable[[int, float], None] | None = None,
    extras: "Callable[[Path, T5Router], dict] | None" = None,
) -> TrainingResult:
    """Train a router on `train`, measure it on `dev` (never trained on), and write the checkpoint to `out_dir`.

    Deterministic for a given seed, data and torch thread count. `extras(staging_dir, router)` may add files to the
    checkpoint before it is swapped in (the ensemble members) and returns metrics to merge (may set "kind").
    """
    config = config or TrainingConfig()
    unknown = sorted({example.tool for example in train} - set(labels))
    if unknown:
        raise ValueError(f"training examples use tools outside the registry: {', '.join(unknown)}")
    started = time.monotonic()
    _seed_everything(config.seed)

    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    from .tokenizer import tokenizer_train

    if base_model is not None:
        tokenizer = AutoTokenizer.from_pretrained(base_model)
        model = T5ForConditionalGeneration.from_pretrained(base_model, dtype=torch.float32)
        learning_rate = config.fine_tune_learning_rate
    else:
        texts = [example.query for example in train]
        tokenizer = tokenizer_train(texts=[*texts, *corpus], vocab_size=config.vocab_size, required_words=labels)
        model = T5ForConditionalGeneration(
            T5Config(
                vocab_size=len(tokenizer),
                d_model=config.d_model,
                d_ff=config.d_ff,
                num_layers=config.num_layers,
                num_decoder_layers=config.num_decoder_layers,
                num_heads=config.num_heads,
                d_kv=config.d_kv,
                dropout_rate=config.dropout_rate,
                feed_forward_proj="gated-gelu",
                pad_token_id=tokenizer.pad_token_id,
                eos_token_id=tokenizer.eos_token_id,
                decoder_start_token_id=tokenizer.pad_token_id,
            )
        )
        learning_rate = config.learning_rate

    # Train and evaluate with the exact tokenization and scoring the router uses at inference.
    router = T5Router(model=model, tokenizer=tokenizer.backend_tokenizer, labels=labels, version="training")
    sequences = label_sequences_build(tokenizer=router.tokenizer, labels=labels, pad_id=router.pad_id)
    label_index = {label: i for i, label in enumerate(labels)}
    rng = random.Random(config.seed)
    steps_per_epoch = -(-len(train) // config.batch_size)
    epochs = config.epochs or max(1, min(config.max_epochs, config.step_budget // steps_per_epoch))
    total_steps = steps_per_epoch * epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, int(total_steps * config.warmup_fraction))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup + 1)))
    )

    from tqdm import tqdm

    bar = tqdm(total=total_steps, desc="train_router", unit="step", disable=not progress)
    model.train()
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in _batches_by_length(train, batch_size=config.batch_size, rng=rng):
            queries = [_augment(ex.query, rng, config) for ex in batch]
            input_ids, attention_mask = router.encode(queries)
            targets = torch.tensor([label_index[example.tool] for example in batch])
            scores = label_log_likelihoods(
                model=model, input_ids=input_ids, attention_mask=attention_mask, labels=sequences
            )
            # Cross-entropy over the label set: the same constrained decision the router makes at inference.
            loss = torch.nn.functional.cross_entropy(scores, targets, label_smoothing=config.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            epoch_loss += loss.item() * len(batch)
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
        if on_epoch is not None:
            on_epoch(epoch + 1, epoch_loss / len(train))
    bar.close()
    model.eval()
    train_seconds = time.monotonic() - started

    metrics: dict = {
        "labels": list(labels),
        "n_train": len(train),
        "train_accuracy": accuracy_measure(router=router, examples=train),
        "train_seconds": round(train_seconds, 1),
        "seed": config.seed,
        "epochs": epochs,
        "base_model": str(base_model) if base_model else None,
        "config": asdict(config),
        "torch_threads": torch.get_num_threads(),
        "machine": f"{platform.machine()} x{os.cpu_count()}",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if dev:
        metrics["n_dev"] = len(dev)
        metrics["dev_accuracy"] = accuracy_measure(router=router, examples=dev)
    version = checkpoint_write(
        model=model,
        tokenizer=tokenizer,
        metrics=metrics,
        out_dir=Path(out_dir),
        extras=(lambda staging: extras(staging, router)) if extras else None,
    )
    logger.info("router trained", extra={k: v for k, v in metrics.items() if k not in {"labels", "config"}})
    return TrainingResult(directory=Path(out_dir), version=version, metrics=metrics)


def accuracy_measure(*, router: T5Router, examples: list[Example], batch_size: int = 64) -> float:
    hits = 0
    for start in range(0, len(examples), batch_size):
        batch = examples[start : start + batch_size]
        best = router.probabilities([example.query for example in batch]).argmax(dim=-1).tolist()
        hits += sum(router.labels[i] == example.tool for i, example in zip(best, batch, strict=True))
    return round(hits / len(examples), 4) if examples else 0.0


def checkpoint_write(
    *,
    model: torch.nn.Module,
    tokenizer,
    metrics: dict,
    out_dir: Path,
    extras: Callable[[Path], dict] | None = None,
) -> str:
    """Write the checkpoint beside `out_dir`, then swap it in with renames; returns the version (hash of the files)."""

    def write(staging: Path) -> dict:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if not (staging / TOKENIZER_FILE).is_file() or not (staging / WEIGHTS_FILE).is_file():
            raise RuntimeError(f"save_pretrained did not write {TOKENIZER_FILE} and {WEIGHTS_FILE}")
        return extras(staging) if extras is not None else {}

    return checkpoint_publish(out_dir=out_dir, metrics=metrics, write=write)


def _batches_by_length(examples: list[Example], *, batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of similar length (sorted within pools of 8 batches): less padding, same randomness."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    pool = batch_size * 8
    batches: list[list[Example]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: len(examples[i].query))
        batches.extend([examples[i] for i in chunk[b : b + batch_size]] for b in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def _augment(query: str, rng: random.Random, config: TrainingConfig) -> str:
    if config.word_dropout:
        words = query.split()
        if len(words) >= 3:
            kept = [word for word in words if rng.random() >= config.word_dropout]
            query = " ".join(kept or words)
    if rng.random() < config.typo_rate:
        query = _with_typos(query, rng)
    return query


_TYPO_KINDS = ("drop", "swap", "double", "space")


def _with_typos(query: str, rng: random.Random) -> str:
    """One or two character slips of the kind people make on phones: a dropped, swapped or doubled letter."""
    chars = list(query)
    for _ in range(rng.choice((1, 1, 2))):
        if len(chars) < 4:
            break
        i = rng.randrange(1, len(chars) - 1)
        kind = rng.choice(_TYPO_KINDS)
        if kind == "drop":
            del chars[i]
        elif kind == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == "double":
            chars.insert(i, chars[i])
        elif chars[i] == " ":
            del chars[i]  # two words run together
    return "".join(chars)
