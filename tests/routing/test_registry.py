from routing.registry import HANDLERS, LABELS, TOOLS, Tool, all_knowledge_collections


def test_registry_has_exactly_the_ten_tools_of_the_issue_in_order():
    assert LABELS == (
        "visa",
        "company",
        "tax",
        "property",
        "legal",
        "pricing",
        "culture",
        "memory",
        "smalltalk",
        "handoff",
    )


def test_each_tool_is_keyed_by_its_own_label_and_has_a_known_handler():
    for label, tool in TOOLS.items():
        assert isinstance(tool, Tool)
        assert tool.label == label
        assert tool.handler in HANDLERS
        assert tool.description


def test_knowledge_tools_name_collections_and_the_others_retrieve_nothing():
    for tool in TOOLS.values():
        assert bool(tool.collections) == (tool.handler == "knowledge"), tool.label


def test_handlers_of_the_non_knowledge_tools_match_the_table():
    assert TOOLS["memory"].handler == "memory"
    assert TOOLS["smalltalk"].handler == "smalltalk"
    assert TOOLS["handoff"].handler == "handoff"
    assert TOOLS["pricing"].collections == ("bali_zero_pricing",)
    assert TOOLS["company"].collections == ("kbli_eye", "kbli_comprehensive", "legal_architect")


def test_abstaining_searches_every_collection_once():
    collections = all_knowledge_collections()

    assert len(collections) == len(set(collections))
    assert set(collections) == {c for tool in TOOLS.values() for c in tool.collections}
    assert "visa_oracle" in collections and "zantara_books" in collections
