"""The README documents what the code does."""

from pathlib import Path

from agentdesk.keys import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_key_table_matches_the_action_registry():
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- keys-table:start -->") + len("<!-- keys-table:start -->")
    end = text.index("<!-- keys-table:end -->")
    assert text[start:end].strip() == markdown_table(), (
        "README key table is out of date; regenerate it with "
        "python -c 'from agentdesk.keys import markdown_table; print(markdown_table())'"
    )


def test_readme_quick_start_matches_ci():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in text and "pip install -e '.[dev]'" in ci
    assert "python -m pytest" in text and "python -m pytest" in ci
