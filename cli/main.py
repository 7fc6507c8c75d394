"""The `kkr-arkiv` command line: the composition root that wires indexer, archive and web app.

Exit codes: 0 success, 1 when a file was rejected or an item was not found, 2 usage errors.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from archive.backend import DATABASE_ENV, open_archive
from archive.postgres.store import PostgresArchive
from archive.runtime import Runtime
from archive.storage.layout import DATA_ENV
from archive.storage.db import ArchiveVersionError
from archive.storage.store import Archive


def _open(ctx: click.Context) -> Archive:
    """The archive, read-only."""
    try:
        return open_archive(ctx.obj["data"], runtime=ctx.obj["runtime"])
    except (FileNotFoundError, ArchiveVersionError) as exc:
        raise click.ClickException(str(exc)) from exc


def _open_writable(ctx: click.Context) -> Archive:
    """The archive opened by the indexer for writing (created when new, migrated when older)."""
    from indexer.schema import open_writable

    try:
        return open_writable(ctx.obj["data"], runtime=ctx.obj["runtime"])
    except ArchiveVersionError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", envvar=[DATABASE_ENV, DATA_ENV],
              help="Archive folder, or a PostgreSQL database as postgresql://USER@HOST:PORT/NAME "
                   "(default $KKR_ARKIV_DATABASE_URL, else $KKR_ARKIV_DATA, else ./data).")
@click.pass_context
def cli(ctx: click.Context, data: str | None) -> None:
    """kkr-arkiv: a searchable archive of KKR agendas and minutes."""
    ctx.ensure_object(dict)
    ctx.obj["data"] = data
    ctx.obj["runtime"] = Runtime()  # this process's state, passed to what needs it


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--wait", "wait_seconds", default=600.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for another writer to finish.")
@click.option("--embed/--no-embed", default=True, show_default=True,
              help="Embed new passages for semantic search after ingesting.")
@click.option("--model", default=None, help="Embedding model (default $KKR_ARKIV_MODEL or multilingual-e5-small).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Parse (and embed) on this many local processes; the archive is written by this one.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Parse (and embed) on the workers of this Dask cluster instead of local processes.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], wait_seconds: float, embed: bool, model: str | None,
           workers: int, scheduler: str | None) -> None:
    """Ingest PDF files or folders (recursively) into the archive."""
    import dataclasses

    from tqdm import tqdm

    from archive.settings import DEFAULT
    from archive.storage.writelock import ArchiveBusy
    from indexer.parallel import ingest_parallel
    from indexer.pipeline import ingest_paths

    archive = _open_writable(ctx)
    with archive:
        try:
            progress = lambda files: tqdm(files, desc="Ingest", unit="pdf", file=sys.stderr)  # noqa: E731
            say = lambda msg: click.echo(msg, err=True)  # noqa: E731
            settings = dataclasses.replace(DEFAULT.ingest, lock_wait_seconds=wait_seconds)
            if workers > 1 or scheduler:
                report = ingest_parallel(archive, paths, workers=workers, scheduler=scheduler, embed=embed,
                                         model=model, progress=progress, say=say, settings=settings)
            else:
                report = ingest_paths(archive, paths, progress=progress, say=say, settings=settings)
        except ArchiveBusy as busy:
            raise click.ClickException(f"{busy}; nothing was ingested, try again later") from None
        for rejection in report.rejected:
            click.echo(f"rejected: {rejection}", err=True)
        click.echo(report.summary())
        if embed:
            _embed(archive, model)
    sys.exit(0 if report.ok else 1)


def _embed(archive: Archive, model: str | None, *, progress: bool = True) -> None:
    from indexer.embed import embed_missing

    embed_missing(archive, model=model, say=lambda msg: click.echo(msg, err=True), progress=progress)


@cli.command()
@click.option("--model", default=None, help="Embedding model (default $KKR_ARKIV_MODEL or multilingual-e5-small).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def embed(ctx: click.Context, model: str | None, quiet: bool) -> None:
    """Embed every passage that has no vector yet for the active model."""
    with _open_writable(ctx) as archive:
        _embed(archive, model, progress=not quiet)


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the keyword index from the archive and swap it in atomically."""
    from archive.storage.writelock import writer_lock
    from indexer.pipeline import keyword_writer

    with _open_writable(ctx) as archive:
        with writer_lock(archive.paths.ingest_lock, say=lambda msg: click.echo(msg, err=True)):
            stats = keyword_writer(archive, lambda msg: click.echo(msg, err=True)).rebuild(archive)
    click.echo(f"Rebuilt the keyword index: {stats.summary()}")


@cli.command()
@click.option("--to", "target", required=True, metavar="postgresql://...",
              help="The PostgreSQL database to copy the archive into (created tables if empty).")
@click.pass_context
def migrate(ctx: click.Context, target: str) -> None:
    """Copy this (embedded) archive into PostgreSQL; running it again copies only what is new."""
    from archive.backend import is_database_url
    from indexer.migrate import migrate as copy_archive
    from indexer.schema import open_writable

    if not is_database_url(target):
        raise click.UsageError(f"--to must be a postgresql:// URL, not {target!r}")
    source = _open(ctx)
    if isinstance(source, PostgresArchive):
        source.close()
        raise click.UsageError("the source must be an embedded archive folder (--data DIR)")
    try:
        destination = open_writable(target, runtime=ctx.obj["runtime"])
    except FileNotFoundError as exc:
        source.close()
        raise click.ClickException(str(exc)) from exc
    with source, destination:
        report = copy_archive(source, destination, say=lambda msg: click.echo(msg, err=True))
    click.echo(f"Migrated to {destination!r}: {report.summary()}")


@cli.command()
@click.pass_context
def meetings(ctx: click.Context) -> None:
    """List the meetings in the archive."""
    with _open(ctx) as archive:
        for meeting in archive.meetings():
            kinds = ", ".join(f"{d.kind} ({len(list(archive.items(document_id=d.id)))} pkt., {d.page_count} s.)"
                              for d in meeting.documents)
            click.echo(f"{meeting.id}  {meeting.date.isoformat()}  {meeting.council}  {kinds}")


@cli.command()
@click.argument("item_id")
@click.pass_context
def show(ctx: click.Context, item_id: str) -> None:
    """Print one item with its blocks and pages."""
    with _open(ctx) as archive:
        item = archive.item(item_id)
        ref = archive.item_ref(item_id) if item else None
        if item is None or ref is None:
            click.echo(f"No item {item_id!r} in the archive.", err=True)
            sys.exit(1)
        click.echo(f"{ref.council}, {ref.kind} {ref.date.isoformat()}, pkt. {item.number} "
                   f"(s. {item.page_first}-{item.page_last})")
        click.echo(f"{item.number}. {item.title}")
        if item.case_number:
            click.echo(f"{item.case_number} {item.case_initials}".strip())
        for block in item.blocks:
            click.echo(f"\n{block.heading} (s. {block.page_first}-{block.page_last})")
            for para in block.paragraphs:
                click.echo(f"  [s. {para.page_first}] {para.text}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, required=True, help="JSON Lines, one document a line.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export(ctx: click.Context, as_json: bool, output) -> None:
    """Write the whole archive as JSON Lines, one document a line."""
    from archive.storage.export import document_record

    with _open(ctx) as archive:
        for doc in archive.documents():
            full = archive.document(doc.id, with_items=True)
            output.write(json.dumps(document_record(full), ensure_ascii=False) + "\n")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")  # may start with '-' (an excluded word): `search "-sjælland flygtninge"`
@click.option("--mode", type=click.Choice(["keyword", "semantic", "hybrid"]), default="hybrid", show_default=True)
@click.option("--council", default=None, help='e.g. "KKR Hovedstaden"')
@click.option("--kind", type=click.Choice(["dagsorden", "referat"]), default=None)
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--decisions", is_flag=True, help="Only decisions (Beslutning blocks).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--model", default=None, help="Embedding model for semantic/hybrid search.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def search(ctx, query, mode, council, kind, date_from, date_to, decisions, sort, limit, model, as_json) -> None:
    """Search the archive: one result per agenda item, as the web app lists them."""
    from archive.search.listing import search_listing
    from archive.search.modes import SearchRequest
    from datetime import date as Date

    from archive.text.citation import format_date_da
    from archive.text.danish import KIND_DEFINITE

    request = SearchRequest(
        q=query, mode=mode, council=council, kind=kind,
        date_from=date_from.date() if date_from else None, date_to=date_to.date() if date_to else None,
        decisions_only=decisions, sort=sort, limit=limit, model=model,
    )
    with _open(ctx) as archive:
        listing = search_listing(archive, request)
    if as_json:
        click.echo(json.dumps(listing.to_json(), ensure_ascii=False, indent=2))
        return
    results = listing.results
    for message in (listing.notice, *results.response.messages):
        if message:
            click.echo(message)
    if listing.case_number:
        click.echo(f"Sag {listing.case_number}: {listing.case_items} punkt(er) i arkivet.")
    count = f"{results.total}" if results.exact else f"mindst {results.total}"
    click.echo(f"{count} {'punkt' if results.total == 1 else 'punkter'}")
    for row in results.results:
        hit = row.hit
        snippet = "".join(f"[{text}]" if marked else text for text, marked in hit.fragments)
        click.echo(f"\n{hit.council} {hit.kind} {format_date_da(Date.fromisoformat(hit.date[:10]))}, pkt. {hit.number}: {hit.title}")
        click.echo(f"  s. {hit.page}: {snippet}")
        for other in row.also:
            click.echo(f"  også i {KIND_DEFINITE.get(other.kind, other.kind)}, s. {other.page}")
    suggestion = results.response.suggestion
    if suggestion and suggestion.strip() != results.response.query:
        click.echo(f"\nMente du: {suggestion}")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True)
@click.option("--model", default=None)
@click.pass_context
def ask(ctx, question: str, as_json: bool, model: str | None) -> None:
    """Answer a question from the archive, with citations."""
    from archive.answers.answer import answer_question

    with _open(ctx) as archive:
        answer = answer_question(archive, question, model=model)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(answer.as_text())


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per core).")
@click.option("--threads", default=None, type=click.IntRange(1, 256),
              help="Threads per worker (default 32: threads waiting on slow clients cost no CPU).")
@click.option("--embed-in-background/--no-embed-in-background", default=False, show_default=True,
              help="Embed passages that lack vectors in a low-priority child process while serving; "
                   "keyword search works at once, semantic results fill in as vectors land.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None, threads: int | None,
          embed_in_background: bool) -> None:
    """Serve the web app with gunicorn (one worker process per core)."""
    from .server import DEFAULT_THREADS, WebServer, default_workers

    data = ctx.obj["data"]
    with _open(ctx):  # fail early, with a clear message, when there is no archive
        pass
    workers = workers or default_workers()
    threads = threads or DEFAULT_THREADS
    embedder = _start_background_embedding(data) if embed_in_background else None
    # One OpenMP thread per query embedding: the workers' own threads already keep the cores
    # busy, and nested OpenMP threads only fight over them (set after the embedder child,
    # which embeds in bulk and keeps its threads).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    click.echo(f"Serving kkr-arkiv on http://{host}:{port}/ ({workers} workers x {threads} threads)")
    try:
        WebServer(data, host=host, port=port, workers=workers, threads=threads).run()
    finally:
        if embedder is not None and embedder.poll() is None:
            embedder.terminate()


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def inspect(file: Path, as_json: bool) -> None:
    """Show how FILE is read: metadata, items, blocks and roles, decisions, page furniture,
    and what the parser was unsure of (no archive needed)."""
    from indexer.errors import RejectedPDF
    from indexer.inspection import format_text, inspect_pdf

    try:
        report = inspect_pdf(file)
    except RejectedPDF as exc:
        click.echo(f"rejected: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_text(report))


def _start_background_embedding(data: str | None):
    """`kkr-arkiv embed` as a child process at low CPU priority (vectors are committed in batches)."""
    import subprocess

    args = [sys.executable, "-m", "cli.main"] + (["--data", data] if data else []) + ["embed", "--quiet"]
    return subprocess.Popen(args, preexec_fn=lambda: os.nice(10))


def main() -> None:
    cli(prog_name="kkr-arkiv")


if __name__ == "__main__":
    main()
