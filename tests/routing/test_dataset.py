import pytest

from routing.dataset import (
    DATA_DIR,
    MAX_QUERY_CHARS,
    InvalidDataset,
    InvalidQuery,
    examples_parse,
    examples_read,
    query_clean,
)
from routing.registry import LABELS


def test_query_is_stripped():
    assert query_clean("  hello  ") == "hello"


@pytest.mark.parametrize("query", ["", "   \n\t"])
def test_empty_query_is_refused(query):
    with pytest.raises(InvalidQuery, match="empty"):
        query_clean(query)


def test_query_of_exactly_the_limit_is_accepted_and_one_more_is_refused():
    assert len(query_clean("a" * MAX_QUERY_CHARS)) == MAX_QUERY_CHARS
    with pytest.raises(InvalidQuery, match="2000"):
        query_clean("a" * (MAX_QUERY_CHARS + 1))


def test_lines_parse_into_examples_and_blank_lines_are_skipped():
    lines = ['{"query": "hi", "tool": "smalltalk"}', "", '{"query": "npwp?", "tool": "tax"}']

    examples = examples_parse(lines, source="x.jsonl")

    assert [(e.query, e.tool) for e in examples] == [("hi", "smalltalk"), ("npwp?", "tax")]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected an object"),
        ('{"query": "hi"}', "unknown tool"),
        ('{"query": "hi", "tool": "weather"}', "unknown tool 'weather'"),
        ('{"query": 3, "tool": "tax"}', "expected an object"),
        ('{"query": "  ", "tool": "tax"}', "empty"),
    ],
)
def test_a_malformed_line_is_reported_with_its_line_number(bad_line, message):
    lines = ['{"query": "hi", "tool": "smalltalk"}', "", bad_line]

    with pytest.raises(InvalidDataset, match=rf"data\.jsonl:3: .*{message}"):
        examples_parse(lines, source="data.jsonl")


def test_a_file_without_examples_is_refused(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")

    with pytest.raises(InvalidDataset, match="no examples"):
        examples_read(path)


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(InvalidDataset, match="nowhere.jsonl: cannot be read"):
        examples_read(tmp_path / "nowhere.jsonl")


def test_the_shipped_data_parses_and_dev_never_repeats_a_training_query():
    train = examples_read(DATA_DIR / "train.jsonl")
    dev = examples_read(DATA_DIR / "dev.jsonl")

    assert len(train) >= 1500 and len(dev) >= 300
    assert not {e.query.casefold() for e in dev} & {e.query.casefold() for e in train}
    assert {e.tool for e in train} == {e.tool for e in dev} == set(LABELS)
