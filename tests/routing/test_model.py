import pytest
import torch
from transformers import T5Config, T5ForConditionalGeneration

from routing.registry import LABELS
from routing.t5.model import MAX_INPUT_TOKENS, LabelSequences, T5Router, label_log_likelihoods
from routing.t5.tokenizer import tokenizer_train

from .conftest import tiny_examples

ODD_QUERIES = [
    "?",
    "🙂🙂🙂",
    "日本語のテキスト",
    "ok " * 600,  # far beyond MAX_INPUT_TOKENS
    "VISA visa ViSa kitas KITAS",
    "smalltalk handoff memory",  # the labels themselves as input
    "<pad> </s> <unk>",
]


@pytest.fixture(scope="module")
def untrained_router() -> T5Router:
    """A randomly initialised router: constrained decoding must return a valid label even from noise."""
    tokenizer = tokenizer_train(texts=[e.query for e in tiny_examples()], vocab_size=300, required_words=LABELS)
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=len(tokenizer), d_model=32, d_ff=64, num_layers=1, num_decoder_layers=1, num_heads=2, d_kv=16
    )
    return T5Router(
        model=T5ForConditionalGeneration(config), tokenizer=tokenizer.backend_tokenizer, labels=LABELS, version="x"
    )


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_untrained_model_still_answers_with_a_registry_label(untrained_router, query):
    ranked = untrained_router.rank(query)

    assert [label for label, _ in ranked] != []
    assert sorted(label for label, _ in ranked) == sorted(LABELS)
    assert ranked[0][0] in LABELS
    assert sum(p for _, p in ranked) == pytest.approx(1.0, abs=1e-5)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


def test_long_queries_are_truncated_to_the_input_budget(untrained_router):
    input_ids, _ = untrained_router.encode(["word " * 2000])

    assert input_ids.shape[1] == MAX_INPUT_TOKENS


def test_scoring_a_batch_gives_the_same_probabilities_as_one_query_at_a_time(untrained_router):
    queries = ["hello", "how do I extend my KITAS for one more year please", "pajak"]

    batched = untrained_router.probabilities(queries)
    single = torch.cat([untrained_router.probabilities([q]) for q in queries])

    assert torch.allclose(batched, single, atol=1e-5)


def test_one_token_shortcut_equals_the_general_batched_decoder_pass(untrained_router):
    # Given the same labels as sequences padded to two tokens, which forces the general (query x label) pass
    sequences = untrained_router.sequences
    padded = LabelSequences(
        decoder_input_ids=torch.cat([sequences.decoder_input_ids, sequences.target_ids], dim=1),
        target_ids=torch.cat([sequences.target_ids, torch.zeros_like(sequences.target_ids)], dim=1),
        target_mask=torch.cat([sequences.target_mask, torch.zeros_like(sequences.target_mask)], dim=1),
    )
    input_ids, attention_mask = untrained_router.encode(["hello there", "npwp"])

    with torch.inference_mode():
        fast = label_log_likelihoods(
            model=untrained_router.model, input_ids=input_ids, attention_mask=attention_mask, labels=sequences
        )
        general = label_log_likelihoods(
            model=untrained_router.model, input_ids=input_ids, attention_mask=attention_mask, labels=padded
        )

    assert torch.allclose(fast, general, atol=1e-5)
    assert (fast < 0).all()
