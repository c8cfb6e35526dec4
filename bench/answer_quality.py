"""Answer quality on sets written by a separate writer: golden answers, retrieval, offline answers, memory extraction.

Every figure is printed per language, for the tuning set and the held-out set side by side (bench/data/*/README.md
says who wrote each file and from what). The held-out files are read here only.

  retrieval  hit@5 and MRR@5 of `knowledge_search` over all collections ("search"), and of the chat pipeline's own
             retrieval after routing ("routed").
  golden     wrong serves (a near-miss served any answer, a paraphrase served another one) and paraphrase hits,
             per language and per near-miss class.
  offline    the share of questions whose known answer sentence appears in the first two sentences of the offline answer.
  memory     offline extractor precision and recall; facts created from third-party, hypothetical and question messages.

Usage:
  python bench/answer_quality.py                      # throwaway database + var dir with the demo knowledge base
  python bench/answer_quality.py --configured         # the configured database and Chroma as they are (after make run)
  python bench/answer_quality.py --only retrieval,golden --sets tune --misses
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
LANGUAGES = ("en", "id", "it")
SECTIONS = ("retrieval", "golden", "offline", "memory")


def load(name: str, part: str) -> list[dict]:
    """One set's rows; the tuning part includes the `tune_extra*.jsonl` files later writers added."""
    paths = [DATA / name / f"{part}.jsonl"]
    if part == "tune":
        paths.extend(sorted((DATA / name).glob("tune_extra*.jsonl")))
    return [
        json.loads(line)
        for path in paths
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")


def by_language(rows: list[dict], value: Callable[[dict], float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        groups[row["language"]].append(value(row))
        groups["all"].append(value(row))
    return {lang: statistics.fmean(values) for lang, values in groups.items()}


# --- retrieval -----------------------------------------------------------------------------------------------------


def document_paths() -> dict[int, str]:
    from knowledge.models import Document

    return {
        pk: f"{slug}/{name}"
        for pk, slug, name in Document.objects.values_list("pk", "collection__slug", "original_name")
    }


def retrieval_rank(row: dict, hits: list, paths: dict[int, str]) -> int | None:
    expected = set(row["expected"])
    for rank, hit in enumerate(hits, start=1):
        if paths.get(hit.document_id) in expected:
            return rank
    return None


def run_retrieval(parts: list[str], misses: bool) -> None:
    from chat.pipeline import steps
    from knowledge.selectors import knowledge_search

    paths = document_paths()
    columns = ["set", "mode", *[f"hit@5 {lang}" for lang in LANGUAGES], *[f"MRR {lang}" for lang in LANGUAGES], "n"]
    out = []
    for part in parts:
        rows = load("retrieval", part)
        for mode in ("search", "routed"):
            ranks = []
            for row in rows:
                if mode == "search":
                    hits = knowledge_search(query=row["query"], k=5)
                else:
                    decision, _ = steps.route(row["query"])
                    chunks, _ = steps.retrieve(row["query"], decision.collections)
                    hits = chunks
                rank = retrieval_rank(row, hits, paths)
                ranks.append({**row, "rank": rank})
                if misses and rank is None and mode == "search":
                    print(
                        f"  MISS [{part} {row['language']} {row.get('class')}] {row['query']} -> want {row['expected'][0]}"
                    )
            hit = by_language(ranks, lambda r: 1.0 if r["rank"] else 0.0)
            mrr = by_language(ranks, lambda r: 1.0 / r["rank"] if r["rank"] else 0.0)
            out.append(
                [
                    part,
                    mode,
                    *[hit.get(lang, 0.0) for lang in LANGUAGES],
                    *[mrr.get(lang, 0.0) for lang in LANGUAGES],
                    len(rows),
                ]
            )
    table("Retrieval (k=5)", columns, out)


# --- golden answers ------------------------------------------------------------------------------------------------

GOLDEN_CLASSES = ("key_term", "other_subject", "other_place", "opposite_action", "negation")


def run_golden(parts: list[str], misses: bool) -> None:
    from chat.pipeline import steps
    from knowledge.golden.models import GoldenAnswer
    from knowledge.golden.selectors import golden_answer_lookup

    keys = dict(GoldenAnswer.objects.values_list("pk", "key"))
    summary, per_class = [], []
    for part in parts:
        rows = load("golden", part)
        for row in rows:
            result = golden_answer_lookup(query=row["query"], log=False)
            row["served"] = keys.get(result.golden_answer_id) if result.hit else None
            row["wrong"] = row["served"] is not None and (row["expect"] == "miss" or row["served"] != row["key"])
            row["right"] = row["expect"] == "hit" and row["served"] == row["key"]
            row["offered"] = set()  # on a miss: the curated answers the pipeline cites as sources (retrieval agrees)
            if result.near:
                decision, _ = steps.route(row["query"])
                chunks, _ = steps.retrieve(row["query"], decision.collections)
                cited = steps.curated_sources(result.near, chunks)
                row["offered"] = {keys.get(c.golden_answer_id) for c in cited if c.golden_answer_id}
            row["offered_right"] = row["expect"] == "hit" and not row["right"] and row["key"] in row["offered"]
            row["offered_wrong"] = bool(row["offered"] - ({row["key"]} if row["expect"] == "hit" else set()))
            if misses and part == "tune" and (row["wrong"] or (row["expect"] == "hit" and not row["right"])):
                verdict = "WRONG" if row["wrong"] else "MISSED"
                print(
                    f"  {verdict} [{row['language']} {row['class']}] {row['query']} -> {row['served']} (want {row['key']})"
                )
        hits = [r for r in rows if r["expect"] == "hit"]
        near = [r for r in rows if r["expect"] == "miss"]
        for lang in (*LANGUAGES, "all"):
            pick = (lambda r: True) if lang == "all" else (lambda r, lang=lang: r["language"] == lang)
            p = [r for r in hits if pick(r)]
            n = [r for r in near if pick(r)]
            summary.append(
                [part, lang, f"{sum(r['right'] for r in p)}/{len(p)}", sum(r["right"] for r in p) / max(len(p), 1),
                 f"{sum(r['wrong'] for r in n)}/{len(n)}", f"{sum(r['wrong'] for r in p)}/{len(p)}",
                 f"{sum(r['offered_right'] for r in p)}/{len(p)}", f"{sum(r['offered_wrong'] for r in n)}/{len(n)}"]
            )  # fmt: skip
        for cls in GOLDEN_CLASSES:
            n = [r for r in near if r["class"] == cls]
            per_class.append(
                [part, cls, *[f"{sum(r['wrong'] for r in n if r['language'] == lang)}/{sum(1 for r in n if r['language'] == lang)}" for lang in LANGUAGES]]
            )  # fmt: skip
    table(
        "Golden answers",
        [
            "set",
            "lang",
            "paraphrases served right",
            "rate",
            "near-misses served (wrong)",
            "paraphrases served another answer",
            "paraphrases not served, cited as a source",
            "near-misses: a curated answer cited as a source",
        ],
        summary,
    )
    table("Golden near-misses served, per class", ["set", "class", *LANGUAGES], per_class)


# --- offline answers -----------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*_`]+|\[\d+\]", "", text).split()).casefold()


def run_offline(parts: list[str], misses: bool) -> None:
    from chat.pipeline import steps
    from chat.pipeline.offline import offline_answer, sentences

    out = []
    for part in parts:
        rows = load("offline_answers", part)
        for row in rows:
            golden, _ = steps.golden_lookup(row["query"])  # as the pipeline: close curated answers may join
            decision, _ = steps.route(row["query"])
            chunks, _ = steps.retrieve(row["query"], decision.collections)
            chunks = steps.curated_sources(golden.near, chunks)
            answer = offline_answer(chunks=chunks, language=row["language"], question=row["query"])
            lead = " ".join(sentences(answer.text)[:2])
            row["found"] = _plain(row["answer_sentence"]).rstrip(".") in _plain(lead)
            row["terms"] = all(term.casefold() in lead.casefold() for term in row["answer_terms"])
            row["cited"] = len(answer.chunks) == len({c.key for c in answer.chunks})
            if misses and part == "tune" and not row["found"]:
                print(
                    f"  MISS [{row['language']}] {row['query']}\n     want: {row['answer_sentence'][:110]}\n     got:  {lead[:220]}"
                )
        found = by_language(rows, lambda r: float(r["found"]))
        terms = by_language(rows, lambda r: float(r["terms"]))
        out.append([part, *[found.get(lang, 0.0) for lang in (*LANGUAGES, "all")], terms.get("all", 0.0), len(rows)])
    table(
        "Offline answers: the known answer sentence among the first two sentences",
        ["set", *LANGUAGES, "all", "all (answer terms)", "n"],
        out,
    )


# --- memory extraction ---------------------------------------------------------------------------------------------

MEMORY_KEYS = {
    "name", "nationality", "city", "visa_type", "visa_expiry", "occupation", "deadline", "spouse_nationality",
    "children", "company", "marital_status", "company_type", "spouse", "employer", "answer_language",
}  # fmt: skip
MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), start=1
    )
}


def _value(key: str, value: str) -> str:
    value = " ".join(str(value).casefold().replace(",", " ").split())
    match = re.fullmatch(r"(?:(\d{1,2}) )?([a-z]+) (\d{4})", value)
    if match and match.group(2) in MONTHS:
        day = f"-{int(match.group(1)):02d}" if match.group(1) else ""
        return f"{match.group(3)}-{MONTHS[match.group(2)]:02d}{day}"
    return value


def _same_fact(expected: dict, fact: dict) -> bool:
    key = fact["key"].split(":", 1)[0]
    if key != expected["key"]:
        return False
    want, got = _value(expected["key"], expected["value"]), _value(key, fact["value"] or fact["text"])
    return want == got or want in got or (len(got) >= 3 and got in want)


def run_memory(parts: list[str], misses: bool) -> None:
    from memory.management.commands.memory_extract import extract

    out = []
    for part in parts:
        rows = load("memory_extraction", part)
        stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            facts = [f for f in extract(row["text"]) if f["action"] == "assert"]
            counted = (
                facts
                if row["class"] in ("third_party", "hypothetical", "question")
                else [f for f in facts if f["key"].split(":", 1)[0] in MEMORY_KEYS]
            )
            right = [f for f in counted if any(_same_fact(e, f) for e in row["expected"])]
            found = [e for e in row["expected"] if any(_same_fact(e, f) for f in facts)]
            for lang in (row["language"], "all"):
                group = stats[lang]
                group["predicted"] += len(counted)
                group["right"] += len(right)
                group["expected"] += len(row["expected"])
                group["found"] += len(found)
                if row["class"] in ("third_party", "hypothetical", "question"):
                    group["other_rows"] += 1
                    group["other_with_fact"] += bool(facts)
            if misses and part == "tune" and (len(right) < len(counted) or len(found) < len(row["expected"])):
                got = "; ".join(f"{f['key']}={f['value']}" for f in facts) or "-"
                want = "; ".join(f"{e['key']}={e['value']}" for e in row["expected"]) or "-"
                print(f"  [{row['language']} {row['class']}] {row['text'][:90]}\n     want {want}\n     got  {got}")
        for lang in (*LANGUAGES, "all"):
            g = stats[lang]
            out.append([
                part, lang, g["right"] / max(g["predicted"], 1), g["found"] / max(g["expected"], 1),
                f"{g['other_with_fact']}/{g['other_rows']}",
            ])  # fmt: skip
    table(
        "Memory extraction (offline extractor)",
        ["set", "lang", "precision", "recall", "third-party/hypothetical/question messages that made a fact"],
        out,
    )


# --- main ----------------------------------------------------------------------------------------------------------


def prepare_environment(configured: bool) -> Path | None:
    tmp = None
    if not configured:
        tmp = Path(tempfile.mkdtemp(prefix="nuz-quality-"))
        os.environ.update({"VAR_DIR": str(tmp / "var"), "CHROMA_DIR": str(tmp / "var" / "chroma")})
        os.environ.setdefault("ROUTER_MODEL_DIR", str(ROOT / "var" / "router"))
        for name in ("DATABASE_URL", "CHROMA_HOST", "REDIS_URL", "ANTHROPIC_API_KEY", "VLLM_BASE_URL"):
            os.environ.pop(name, None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django

    django.setup()
    if not configured:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("kb_ingest", str(ROOT / "knowledge" / "demo"), verbosity=0)
        call_command("golden_load_demo", verbosity=0)
        print(f"demo knowledge base loaded in {time.perf_counter() - started:.0f} s")
    return tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configured", action="store_true", help="use the configured database and Chroma as they are")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--sets", default="tune,heldout", help="tune, heldout or both (comma-separated)")
    parser.add_argument("--misses", action="store_true", help="print the failures of the tuning set")
    args = parser.parse_args()
    sections = [s for s in args.only.split(",") if s]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section: {', '.join(unknown)}")
    parts = [p for p in args.sets.split(",") if p in ("tune", "heldout")]
    tmp = prepare_environment(args.configured)
    try:
        runners = {"retrieval": run_retrieval, "golden": run_golden, "offline": run_offline, "memory": run_memory}
        for section in sections:
            if section in runners:
                runners[section](parts, args.misses)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
