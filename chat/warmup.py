"""Load the models a first question needs (embedder, golden matrix, router, lexical index) before it arrives.

Run in a background thread when the ASGI application starts, so the first user does not wait seconds for loading and a
busy event loop never starves websocket keepalives. Failures are logged, never raised: requests load lazily instead.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)


def warm_up() -> None:
    started = time.perf_counter()
    try:
        from knowledge.golden.matching.encoder import get_encoder
        from knowledge.golden.matching.index import current_snapshot
        from knowledge.search.lexicon import load_spelling_lists
        from knowledge.selectors import knowledge_search
        from nuzantara.embeddings import get_embedder
        from nuzantara.llm import anthropic_client, vllm_client
        from routing.engine import router_get

        if anthropic_client.is_configured():
            import anthropic  # noqa: F401  the SDK loads lazily; a configured server loads it before the first question
        if vllm_client.is_configured():
            import openai  # noqa: F401

        get_embedder().encode_one("warm up")
        get_encoder().encode_one("warm up")
        current_snapshot()
        load_spelling_lists()
        router_get()
        knowledge_search(query="KITAS", k=1)
    except Exception:  # a missing table or index must not stop the server from starting
        logger.warning("warm-up incomplete; models load on first use", exc_info=True)
        return
    finally:
        from django.db import connections

        connections.close_all()
    logger.info("warm-up done", extra={"ms": round((time.perf_counter() - started) * 1000)})


def warm_up_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="warm-up", daemon=True)
    thread.start()
    return thread
