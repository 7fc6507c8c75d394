"""`kkr-arkiv inspect FILE` shows how a document was read, without an archive."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_inspect_json_lists_items_roles_decisions_and_furniture() -> None:
    pdf = CORPUS / "kkr-sjaelland_2026-09-24_referat.pdf"
    result = CliRunner().invoke(cli, ["inspect", str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["body"] == "KKR Sjælland" and report["authority"] == "KL"
    assert report["structured"] and report["items"]
    first = report["items"][0]
    assert {b["role"] for b in first["blocks"]} >= {"background", "recommendation", "decision"}
    assert [d["this_meeting"] for d in first["decisions"]] == [True]
    assert report["furniture"] and all(f["pages"] >= 2 for f in report["furniture"])


def test_inspect_text_and_rejection(tmp_path: Path) -> None:
    pdf = CORPUS / "kkr-hovedstaden_2026-04-07_dagsorden.pdf"
    result = CliRunner().invoke(cli, ["inspect", str(pdf)])
    assert result.exit_code == 0
    assert "removed as page furniture:" in result.output and "-> recommendation" in result.output
    bad = tmp_path / "x.pdf"
    bad.write_text("not a pdf", encoding="utf-8")
    result = CliRunner().invoke(cli, ["inspect", str(bad)])
    assert result.exit_code == 1 and "x.pdf: the file is not a PDF" in result.output
