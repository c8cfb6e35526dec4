"""The T5 router: a tokenizer and a small T5 trained on our routing data, scored with decoding constrained to the labels.

This module stays free of torch so Django can import the app without loading it.
"""

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
METRICS_FILE = "metrics.json"


class CheckpointError(RuntimeError):
    """The router checkpoint is missing or cannot be loaded."""
