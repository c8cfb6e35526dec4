import json
from pathlib import Path

import pytest

from routing.dataset import Example

# Twelve words of each tool, in the three languages of the real data: enough to learn, seconds to train.
TINY_SET: dict[str, list[str]] = {
    "visa": [
        "how do I extend my KITAS",
        "berapa lama visa on arrival",
        "proroga del visto a Bali",
        "I overstayed my visa",
    ],
    "company": ["how to set up a PT PMA", "kode KBLI untuk restoran", "aprire una societa in Indonesia", "what is NIB"],
    "tax": ["do I need an NPWP", "berapa pajak penghasilan", "come funziona l'IVA", "withholding tax on dividends"],
    "property": [
        "can foreigners buy a villa",
        "sewa villa di canggu",
        "comprare terreno leasehold",
        "building permit PBG",
    ],
    "legal": ["marriage with an indonesian", "kontrak kerja dibatalkan", "eredita in Indonesia", "sued by my landlord"],
    "pricing": ["how much do you charge", "berapa harga jasa kalian", "quanto costa il vostro servizio", "your fees"],
    "culture": ["what is nyepi", "upacara adat bali", "come salutare in indonesiano", "etiquette at a temple"],
    "memory": ["remember that I live in Ubud", "lupakan alamat saya", "cosa sai di me", "what do you know about me"],
    "smalltalk": ["hello", "terima kasih", "ciao, chi sei?", "what can you do"],
    "handoff": [
        "call me please",
        "saya mau bicara dengan staf",
        "voglio parlare con una persona",
        "book a consultation",
    ],
}

TINY_CONFIG = {
    "epochs": 40,
    "batch_size": 8,
    "d_model": 64,
    "d_ff": 128,
    "num_layers": 2,
    "num_heads": 2,
    "d_kv": 32,
    "vocab_size": 500,
    "typo_rate": 0.0,
}


def tiny_examples() -> list[Example]:
    return [Example(query=query, tool=tool) for tool, queries in TINY_SET.items() for query in queries]


def write_jsonl(path: Path, examples: list[Example]) -> Path:
    path.write_text("".join(json.dumps({"query": e.query, "tool": e.tool}) + "\n" for e in examples))
    return path


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Two OpenMP threads on a busy 2-core machine spin-wait and run ~10x slower than one."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A router trained once per test session on the tiny set (a few seconds)."""
    from routing.registry import LABELS
    from routing.t5.training import TrainingConfig, router_train

    out_dir = tmp_path_factory.mktemp("router") / "checkpoint"
    router_train(train=tiny_examples(), labels=LABELS, out_dir=out_dir, config=TrainingConfig(**TINY_CONFIG))
    return out_dir


@pytest.fixture
def router_dir(settings, tiny_checkpoint: Path) -> Path:
    """ROUTER_MODEL_DIR pointed at the tiny checkpoint, with the process-wide router reloaded around the test."""
    from routing.engine import router_reset

    settings.ROUTER_MODEL_DIR = tiny_checkpoint
    router_reset()
    yield tiny_checkpoint
    router_reset()


@pytest.fixture
def no_router(settings, tmp_path: Path) -> Path:
    """ROUTER_MODEL_DIR pointed at an empty directory."""
    from routing.engine import router_reset

    settings.ROUTER_MODEL_DIR = tmp_path / "no-router"
    router_reset()
    yield settings.ROUTER_MODEL_DIR
    router_reset()
