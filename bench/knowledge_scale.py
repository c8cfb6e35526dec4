"""Knowledge base at scale: ingest a synthetic corpus across the 14 collections, then time hybrid search.

Goals on 2 cores: ingest >= 200 chunks/s, search p95 < 50 ms at 14,365 documents.
Usage: python bench/knowledge_scale.py [--docs 14365] [--queries 200] [--sqlite] [--seed 7] [--synthetic-vectors]

Runs on a throwaway var dir (Chroma under it) and a scratch database: Postgres when it answers on 127.0.0.1:5432
(dropped at the end), else SQLite (or with --sqlite). Files are written to disk and go through the same service as
`kb_ingest` (checksum skip, parse, chunk, embed, Postgres + Chroma).
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import postgres_available  # noqa: E402

SLUGS = [
    "bali_zero_pricing", "visa_oracle", "kbli_eye", "kbli_comprehensive", "tax_genius", "tax_updates",
    "tax_knowledge", "legal_architect", "legal_updates", "property_listings", "property_knowledge",
    "kb_indonesian", "cultural_insights", "zantara_books",
]  # fmt: skip
TOPICS = {
    "bali_zero_pricing": "price fee package invoice rupiah deposit refund quote service discount payment kitas setup",
    "visa_oracle": "visa kitas kitap sponsor overstay immigration passport voa extension permit e33g e28a golden",
    "kbli_eye": "kbli code classification risk restaurant villa consulting retail ecommerce software license",
    "kbli_comprehensive": "kbli oss nib positive list foreign ownership capital sector licence risk based",
    "tax_genius": "tax income pph21 residency return deadline npwp withholding salary bracket refund",
    "tax_updates": "vat ppn coretax regulation rate 2025 minimum tax update amendment ministry decree",
    "tax_knowledge": "treaty pph23 pph26 dividend royalty final tax rent property sale withholding",
    "legal_architect": "pt pma deed notary shareholder director commissioner articles nominee company",
    "legal_updates": "law regulation levy bali tourist ministry amendment omnibus decree new rule",
    "property_listings": "villa leasehold bedroom pool canggu ubud seminyak freehold land price rent",
    "property_knowledge": "hak milik hgb hak pakai lease title certificate due diligence notary ppat land",
    "kb_indonesian": "perusahaan izin tinggal pajak tanah sewa notaris akta pendirian modal usaha",
    "cultural_insights": "ceremony temple nyepi galungan offering banjar etiquette dress ngaben village",
    "zantara_books": "guide chapter story investor expat journey lessons planning relocation family",
}
GENERAL = {
    "en": "the company must apply for a permit before the office reviews documents within days and the applicant "
    "pays fees when the authority approves residents foreigners need local partners annual reporting rules",
    "id": "perusahaan harus mengajukan izin sebelum kantor memeriksa dokumen dalam beberapa hari dan pemohon "
    "membayar biaya ketika instansi menyetujui warga asing memerlukan mitra lokal laporan tahunan aturan",
    "it": "la società deve chiedere il permesso prima che l'ufficio esamini i documenti entro pochi giorni e il "
    "richiedente paga le tasse quando l'autorità approva gli stranieri hanno bisogno di partner locali regole",
}


def sentence(rng: random.Random, topic: list[str], general: list[str], words: int) -> str:
    picked = [rng.choice(topic) if rng.random() < 0.35 else rng.choice(general) for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def synthetic_document(rng: random.Random, n: int) -> tuple[str, str]:
    slug = SLUGS[n % len(SLUGS)]
    language = "id" if slug == "kb_indonesian" else rng.choices(["en", "id", "it"], weights=[7, 2, 1])[0]
    topic = TOPICS[slug].split()
    general = GENERAL[language].split()
    title = f"{' '.join(rng.sample(topic, 3)).title()} {n}"
    reviewed = f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = [
        "---",
        f'title: "{title}"',
        f"collection: {slug}",
        f"language: {language}",
        f"source: Synthetic source {n}",
        f"source_url: https://example.org/{slug}/{n}",
        f"last_reviewed: {reviewed}",
        "---",
        f"# {title}",
        "",
    ]
    legal = slug in {"legal_architect", "legal_updates"} and rng.random() < 0.5
    for section in range(rng.randint(2, 4)):
        lines.append(f"Pasal {section + 1}" if legal else f"## {rng.choice(topic).title()} {section + 1}")
        body = " ".join(sentence(rng, topic, general, rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))
        lines += [body, ""]
    return f"{slug}-{n:05d}.md", "\n".join(lines)


def synthetic_query(rng: random.Random, i: int) -> dict:
    slug = rng.choice(SLUGS)
    language = rng.choices(["en", "id", "it"], weights=[7, 2, 1])[0]
    words = rng.sample(TOPICS[slug].split(), 3) + rng.sample(GENERAL[language].split(), rng.randint(2, 5))
    rng.shuffle(words)
    query: dict = {"query": f"{' '.join(words)} {i}"}  # distinct text: the query-vector cache must not help
    roll = rng.random()
    if roll < 0.25:
        query["collections"] = [slug]
    elif roll < 0.40:
        query["language"] = language
    return query


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=14365)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if Postgres is available")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (and Postgres database)")
    parser.add_argument(
        "--synthetic-vectors",
        action="store_true",
        help="ingest with pseudo-random vectors instead of the model (search latency at full scale in minutes; "
        "the ingest figure then excludes embedding, and queries are still embedded by the real model)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="nuz-kb-scale-"))
    os.environ.update({"VAR_DIR": str(tmp / "var"), "CHROMA_DIR": str(tmp / "var" / "chroma"), "LOG_LEVEL": "WARNING"})
    os.environ.pop("CHROMA_HOST", None)
    db_name = ""
    if not args.sqlite and postgres_available():
        db_name = f"nuz_kbscale_{uuid.uuid4().hex[:8]}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db_name], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    import knowledge.services as services
    from knowledge.ingest.files import collect_files
    from knowledge.search import hybrid, index
    from knowledge.search.lexical import LexicalIndex
    from knowledge.selectors import knowledge_search
    from nuzantara.embeddings import get_embedder

    try:
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}; var dir: {tmp / 'var'}")

        started = time.perf_counter()
        rng = random.Random(args.seed)
        corpus = tmp / "corpus"
        for n in range(args.docs):
            name, text = synthetic_document(rng, n)
            folder = corpus / name.rsplit("-", 1)[0]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        files = collect_files([corpus])
        print(f"generated {len(files)} documents in {time.perf_counter() - started:.1f} s")

        get_embedder()  # loading the model (~3 s) is not ingest throughput
        rss_before = peak_rss_mb()
        embed_seconds = 0.0
        original_embed = services._embed

        def synthetic_embed(chunks: list, *, progress: bool):
            import numpy as np

            vectors = np.random.default_rng(len(chunks)).standard_normal((len(chunks), 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            return services.ChunkVectors(vectors, list(range(len(chunks))))  # one window per chunk

        embed = synthetic_embed if args.synthetic_vectors else original_embed
        if args.synthetic_vectors:
            print("NOTE: --synthetic-vectors: the model is not used for ingest; chunks/s below excludes embedding")

        def timed_embed(texts: list, *, progress: bool):
            nonlocal embed_seconds
            t0 = time.perf_counter()
            try:
                return embed(texts, progress=progress)
            finally:
                embed_seconds += time.perf_counter() - t0

        services._embed = timed_embed
        with tqdm(total=len(files), unit="doc", desc="ingest", mininterval=2) as bar:
            report = services.files_ingest(paths=files, batch_chunks=512, on_file=lambda _: bar.update())
        services._embed = original_embed
        seconds = report.seconds
        print(
            f"ingest: {len(report.created)} documents, {report.chunks} chunks in {seconds:.1f} s -> "
            f"{report.chunks / seconds:.0f} chunks/s ({len(report.created) / seconds:.0f} docs/s); rejected "
            f"{len(report.rejected)}"
        )
        print(
            f"  of which embedding: {embed_seconds:.1f} s ({report.chunks / embed_seconds:.0f} chunks/s); everything "
            f"else (read, parse, chunk, Postgres, Chroma): {seconds - embed_seconds:.1f} s "
            f"({report.chunks / max(seconds - embed_seconds, 1e-9):.0f} chunks/s)"
        )
        print(f"  peak RSS: {peak_rss_mb():.0f} MB (model loaded: {rss_before:.0f} MB)")

        t0 = time.perf_counter()
        again = services.files_ingest(paths=files)
        print(f"re-run over unchanged files: {len(again.unchanged)} skipped in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        hybrid.corpus_snapshot()
        print(f"lexical index build (once per corpus version): {(time.perf_counter() - t0) * 1000:.0f} ms")

        parts = {"embed": [], "chroma": [], "bm25": []}
        embedder = get_embedder()
        original_encode_one, original_query, original_lexical = embedder.encode_one, index.query, LexicalIndex.search

        def timed(name, fn):
            def wrapper(*a, **kw):
                t = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    parts[name].append((time.perf_counter() - t) * 1000)

            return wrapper

        embedder.encode_one = timed("embed", original_encode_one)
        index.query = timed("chroma", original_query)
        LexicalIndex.search = timed("bm25", original_lexical)
        qrng = random.Random(args.seed + 1)
        for i in range(10):
            knowledge_search(k=5, **synthetic_query(qrng, -i - 1))  # warm-up
        for samples in parts.values():
            samples.clear()
        latencies = []
        for i in range(args.queries):
            query = synthetic_query(qrng, i)
            t = time.perf_counter()
            knowledge_search(k=5, **query)
            latencies.append((time.perf_counter() - t) * 1000)
        embedder.encode_one, index.query, LexicalIndex.search = original_encode_one, original_query, original_lexical
        print(
            f"search ({args.queries} queries, k=5, {report.chunks} chunks): p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {pct(latencies, 95):.1f} ms, max {max(latencies):.1f} ms"
        )
        print(
            "  medians: "
            + ", ".join(f"{name} {statistics.median(s):.1f} ms" for name, s in parts.items() if s)
            + f"; rest (version check, fusion, Postgres hydration) "
            f"{statistics.median(latencies) - sum(statistics.median(s) for s in parts.values() if s):.1f} ms"
        )
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
    finally:
        connection.close()
        index.reset_client()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            if db_name:
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db_name], check=False)
        else:
            print(f"kept {tmp}" + (f" and database {db_name}" if db_name else ""))


if __name__ == "__main__":
    main()
