"""Per-file limits of the child parser (#16): a time budget, a memory cap, a page-count guard and
a recursion guard, each with a clear reason; the files after it are ingested."""
from __future__ import annotations

import dataclasses

import pytest

from archive.settings import DEFAULT
from indexer.schema import open_writable
from indexer.pipeline import ingest_paths

from .helpers import copy_pdf, xref_pdf

SMALL = "kkr-sjaelland_2026-09-24_dagsorden"
OTHER = "kkr-hovedstaden_2026-04-07_referat"


def _ingest(tmp_path, first, **limits):
    second = copy_pdf(OTHER, tmp_path / "in" / "z-next.pdf")
    settings = dataclasses.replace(DEFAULT.ingest, **limits)
    with open_writable(tmp_path / "data") as archive:
        # the limit applies to the first file only when the second is ingested with defaults
        report = ingest_paths(archive, [first], say=lambda _m: None, settings=settings)
        after = ingest_paths(archive, [second], say=lambda _m: None)
        return report, after, {d.id for d in archive.documents()}


@pytest.mark.parametrize("limits, reason", [
    ({"parse_seconds": 0.05}, "longer than 0.05 s"),
    ({"max_pages": 3}, "more than the limit of 3"),
])
def test_a_limit_rejects_the_file_with_its_reason(tmp_path, limits, reason):
    first = copy_pdf(SMALL, tmp_path / "in" / "a-first.pdf")
    report, after, stored = _ingest(tmp_path, first, **limits)
    assert len(report.rejected) == 1 and not report.added
    assert str(report.rejected[0]).startswith("a-first.pdf: ")
    assert reason in report.rejected[0].reason
    assert after.ok and stored == {OTHER}


def test_an_object_that_refers_to_itself_is_rejected_as_such_and_the_run_goes_on(tmp_path):
    looped = tmp_path / "in" / "a-looped.pdf"
    looped.parent.mkdir(parents=True)
    looped.write_bytes(xref_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
        b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream",  # its length is itself
    ]))
    good = copy_pdf(SMALL, tmp_path / "in" / "b-good.pdf")
    with open_writable(tmp_path / "data") as archive:
        report = ingest_paths(archive, [looped, good], say=lambda _m: None)
    assert [str(r) for r in report.rejected] == [
        "a-looped.pdf: the PDF's objects are nested too deeply or refer to themselves"]
    assert len(report.added) == 1


def test_the_memory_cap_rejects_the_file_and_the_run_goes_on(tmp_path):
    """In a fresh process: a forked child of a long-lived one may parse within free heap it
    inherited, without asking the kernel for the memory the cap would refuse."""
    import subprocess
    import sys

    from .helpers import ROOT

    first = copy_pdf(SMALL, tmp_path / "in" / "a-first.pdf")
    second = copy_pdf(OTHER, tmp_path / "in" / "z-next.pdf")
    script = (
        "import dataclasses, sys\n"
        "from pathlib import Path\n"
        "from archive.settings import DEFAULT\n"
        "from indexer.schema import open_writable\n"
        "from indexer.pipeline import ingest_paths\n"
        "capped = dataclasses.replace(DEFAULT.ingest, parse_memory_mb=64)\n"
        "with open_writable(Path(sys.argv[1])) as archive:\n"
        "    report = ingest_paths(archive, [Path(sys.argv[2])], say=lambda _m: None, settings=capped)\n"
        "    after = ingest_paths(archive, [Path(sys.argv[3])], say=lambda _m: None)\n"
        "    print([str(r) for r in report.rejected], len(after.added))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data"), str(first), str(second)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("['a-first.pdf: parsing needs more than 64 MB of memory (the per-file cap)'] 1")


def test_a_compression_bomb_is_refused_before_layout_and_the_run_goes_on(tmp_path):
    """300 KB on disk, 300 MB of blanks once inflated: refused by the preflight with its reason
    (it used to be inflated whole and then called "no text layer")."""
    import zlib

    content = zlib.compress(b" " * (300 * 1024 * 1024), 9)
    bomb = tmp_path / "in" / "a-bomb.pdf"
    bomb.parent.mkdir(parents=True)
    bomb.write_bytes(xref_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]))
    report, after, stored = _ingest(tmp_path, bomb, max_content_stream_mb=64)
    assert [str(r) for r in report.rejected] == [
        "a-bomb.pdf: page 1 has a content stream that unpacks to more than 64 MB (a compression bomb?)"]
    assert after.ok and stored == {OTHER}
