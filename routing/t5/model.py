"""Constrained scoring with a T5 checkpoint: one encoder pass, one batched decoder pass over the label sequences."""

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer

from . import CONFIG_FILE, METRICS_FILE, TOKENIZER_FILE, CheckpointError

MAX_INPUT_TOKENS = 128  # the first ~100 words decide the route; a bound keeps latency flat for 2,000-char queries


@dataclass(frozen=True)
class LabelSequences:
    """The labels as padded decoder inputs and targets (pad id 0 is also T5's decoder start token)."""

    decoder_input_ids: torch.Tensor  # (labels, length)
    target_ids: torch.Tensor  # (labels, length)
    target_mask: torch.Tensor  # (labels, length), 1.0 on real tokens


def label_sequences_build(*, tokenizer: Tokenizer, labels: tuple[str, ...], pad_id: int) -> LabelSequences:
    # No </s>: no label is a prefix of another, so the end token adds nothing to the choice, and one-token labels
    # then share their only decoder input (the start token), which lets scoring decode once per query.
    encoded = [tokenizer.encode(label, add_special_tokens=False).ids for label in labels]
    if not all(encoded):
        raise ValueError("every label must encode to at least one token")
    length = max(len(ids) for ids in encoded)
    targets = torch.full((len(labels), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(labels), length))
    for row, ids in enumerate(encoded):
        targets[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1.0
    decoder_inputs = torch.cat([torch.full((len(labels), 1), pad_id, dtype=torch.long), targets[:, :-1]], dim=1)
    return LabelSequences(decoder_input_ids=decoder_inputs, target_ids=targets, target_mask=mask)


def label_log_likelihoods(
    *, model: torch.nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: LabelSequences
) -> torch.Tensor:
    """log p(label | query) for every query and label: (queries, labels). Differentiable, so training uses it too."""
    batch, n_labels = input_ids.shape[0], labels.target_ids.shape[0]
    encoded = model.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    if labels.target_ids.shape[1] == 1:
        # All labels are one token: the (query, label) rows would be identical, so decode each query once.
        logits = model(
            encoder_outputs=(encoded,),
            attention_mask=attention_mask,
            decoder_input_ids=labels.decoder_input_ids[:1].expand(batch, 1),
            use_cache=False,
        ).logits[:, 0, :]
        return torch.log_softmax(logits, dim=-1)[:, labels.target_ids[:, 0]]
    # Every query is decoded against every label in one pass: rows are (query, label) pairs.
    hidden = encoded.repeat_interleave(n_labels, dim=0) if batch > 1 else encoded.expand(n_labels, -1, -1)
    mask = attention_mask.repeat_interleave(n_labels, dim=0) if batch > 1 else attention_mask.expand(n_labels, -1)
    logits = model(
        encoder_outputs=(hidden,),
        attention_mask=mask,
        decoder_input_ids=labels.decoder_input_ids.repeat(batch, 1),
        use_cache=False,
    ).logits
    token_log_probs = torch.log_softmax(logits, dim=-1).gather(-1, labels.target_ids.repeat(batch, 1).unsqueeze(-1))
    sums = (token_log_probs.squeeze(-1) * labels.target_mask.repeat(batch, 1)).sum(dim=-1)
    return sums.view(batch, n_labels)


class T5Router:
    """A loaded checkpoint. `rank` is safe to call from several threads at once (no shared mutable state)."""

    def __init__(
        self,
        *,
        model: torch.nn.Module,
        tokenizer: Tokenizer,
        labels: tuple[str, ...],
        version: str,
        metrics: dict | None = None,
    ) -> None:
        self.model = model.eval()
        self.metrics = metrics or {}
        self.tokenizer = tokenizer
        self.tokenizer.enable_truncation(MAX_INPUT_TOKENS)
        self.tokenizer.no_padding()
        self.labels = labels
        self.version = version
        self.pad_id = int(model.config.pad_token_id or 0)
        self.sequences = label_sequences_build(tokenizer=tokenizer, labels=labels, pad_id=self.pad_id)

    @classmethod
    def load(cls, directory: Path, *, labels: tuple[str, ...]) -> "T5Router":
        """Load model, tokenizer and metrics from `directory`; raises CheckpointError when any is missing or broken."""
        directory = Path(directory)
        if not (directory / CONFIG_FILE).is_file():
            raise CheckpointError(f"no router checkpoint in {directory}")
        try:
            from transformers import T5ForConditionalGeneration

            metrics = json.loads((directory / METRICS_FILE).read_text())
            model = T5ForConditionalGeneration.from_pretrained(directory, dtype=torch.float32)
            tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        except Exception as exc:  # OSError, JSON, safetensors and config errors all mean "unusable checkpoint"
            raise CheckpointError(
                f"router checkpoint in {directory} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        version = str(metrics.get("version", "unknown"))
        return cls(model=model, tokenizer=tokenizer, labels=labels, version=version, metrics=metrics)

    def encode(self, queries: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        encodings = [self.tokenizer.encode(query).ids for query in queries]
        length = max(len(ids) for ids in encodings)
        input_ids = torch.full((len(queries), length), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(queries), length), dtype=torch.long)
        for row, ids in enumerate(encodings):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            attention_mask[row, : len(ids)] = 1
        return input_ids, attention_mask

    @torch.inference_mode()
    def probabilities(self, queries: list[str]) -> torch.Tensor:
        """Softmax over the label log-likelihoods: (queries, labels)."""
        input_ids, attention_mask = self.encode(queries)
        scores = label_log_likelihoods(
            model=self.model, input_ids=input_ids, attention_mask=attention_mask, labels=self.sequences
        )
        return torch.softmax(scores, dim=-1)

    def rank(self, query: str) -> list[tuple[str, float]]:
        """Every label with its confidence, best first."""
        probabilities = self.probabilities([query])[0].tolist()
        return sorted(zip(self.labels, probabilities, strict=True), key=lambda pair: -pair[1])
