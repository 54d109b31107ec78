"""An import's life: upload, mapping, dry run, commit, the file of skipped rows.

The dry run and the commit are the same pass over the file (``process``): the commit also writes,
all of it in one transaction, so a failure part-way writes nothing. Small files run inside the
request; files over ``IMPORT_JOB_ROWS`` rows run as a job (RQ, or in-process without Redis) whose
progress the page polls. Only planners and administrators import: an import reshapes the base.
"""
from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from expo.core import access, clock, db, jobs
from expo.core.access import Actor
from expo.core.errors import ExpoError, Forbidden, NotFound, ValidationError
from expo.core.imports.checking import Checker, Verdict
from expo.core.imports.fields import check_mapping, fields_of, guess_mapping, known_headers, remember_mapping, \
    saved_mapping
from expo.core.imports.reading import Sheet, file_error, header_digest, open_sheet, sample_rows
from expo.core.imports.writing import Writer
from expo.core.models import IMPORT_KINDS, Import, ImportRow, User
from expo.core.plugins import call
from expo.core.services import audit
from expo.core.spreadsheets import csv_chunks, xlsx_file

log = logging.getLogger(__name__)
BATCH = 1000
JOB = "expo.core.imports.runs:run_job"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,7}")


class TooLarge(ExpoError):
    status = 413
    code = "too_large"


def max_bytes() -> int:
    return current_app.config["IMPORT_MAX_MB"] * 1024 * 1024


def too_large() -> TooLarge:
    return TooLarge(_l("The file is too large: at most %(mb)d MB.", mb=current_app.config["IMPORT_MAX_MB"]))


def require_importer(user: Actor) -> None:
    if not access.require_actor(user).can_assign:
        raise Forbidden()


def _folder() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(imp: Import) -> Path:
    return _folder() / imp.stored_name


def save_upload(upload) -> tuple[str, int]:
    """Copy an uploaded file (werkzeug ``FileStorage``) into the imports folder; (stored name, size)."""
    if upload is None or not upload.filename:
        raise ValidationError(fields={"file": str(_l("Choose a file."))})
    suffix = Path(upload.filename).suffix.lower()
    stored = uuid.uuid4().hex + (suffix if _SUFFIX.fullmatch(suffix) else "")
    target = _folder() / stored
    size, limit = 0, max_bytes()
    with target.open("wb") as out:
        for chunk in iter(lambda: upload.stream.read(1 << 16), b""):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink()
                raise too_large()
            out.write(chunk)
    return stored, size


def _kind(kind: Any) -> str:
    if kind not in IMPORT_KINDS:
        raise ValidationError(fields={"kind": str(_l("Must be one of: %(options)s.", options=", ".join(IMPORT_KINDS)))})
    return kind


@contextmanager
def _sheet(path: Path, kind: str):
    """The file's sheet; one with more rows than ``EXPO_IMPORT_MAX_ROWS`` is refused (a tiny .xlsx
    can unpack to millions of rows, which the reader would hold in memory)."""
    most = current_app.config["IMPORT_MAX_ROWS"]
    with open_sheet(path, known_headers(kind)) as sheet:
        if sheet.total_rows > most:
            raise file_error(_l("At most %(n)d rows in one file: split it.", n=most))
        yield sheet


def upload(upload_file, kind: str, user: Actor) -> Import:
    """Step 1: keep the file and guess its mapping (the one saved for this header, if any)."""
    require_importer(user)
    kind = _kind(kind)
    stored, size = save_upload(upload_file)
    path = _folder() / stored
    try:
        with _sheet(path, kind) as sheet:
            header, total = sheet.header, sheet.total_rows
    except ValidationError:
        path.unlink()
        raise
    mapping = saved_mapping(kind, header_digest(header))
    try:
        mapping = check_mapping(kind, mapping, header) if mapping else guess_mapping(kind, header)
    except ValidationError:  # saved for a header that looks the same but is shorter: guess again
        mapping = guess_mapping(kind, header)
    imp = Import(kind=kind, file_name=_UNSAFE_NAME.sub(" ", upload_file.filename)[:255], stored_name=stored,
                 file_size=size, mapping=mapping, state="uploaded", total_rows=total, created_by_id=user.id,
                 created_at=clock.now())
    db.session().add(imp)
    db.session().flush()
    return imp


def visible_import(user: Actor, import_id: int) -> Import:
    require_importer(user)
    imp = db.session().get(Import, import_id)
    if imp is None:
        raise NotFound()
    return imp


def preview(imp: Import, count: int = 5) -> tuple[list[str], list[list]]:
    """The header and the first data rows, for the mapping step."""
    with _sheet(file_path(imp), imp.kind) as sheet:
        return sheet.header, sample_rows(sheet, count)


def set_mapping(imp: Import, mapping: Any, user: Actor) -> None:
    """Step 2: a checked mapping, remembered for the next file with this header."""
    require_importer(user)
    if imp.state in ("checking", "committing", "committed"):
        raise ValidationError(_l("This import is under way or done; start a new one."))
    header, _rows = preview(imp, 0)
    imp.mapping = check_mapping(imp.kind, mapping, header)
    imp.state, imp.counts = "uploaded", {}
    remember_mapping(imp.kind, header_digest(header), imp.mapping)


def start(imp: Import, user: Actor, write: bool) -> bool:
    """Step 3 (dry run) or 4 (commit, after a dry run). Runs now for a small file; queues a job for
    a big one and returns True (commit first: the job reads the state)."""
    require_importer(user)
    if write and imp.state != "checked":
        raise ValidationError(_l("Check the file (dry run) before committing it."))
    if not write and imp.state in ("checking", "committing", "committed"):
        raise ValidationError(_l("This import is under way or done; start a new one."))
    imp.state, imp.error = ("committing" if write else "checking"), None
    if (imp.total_rows or 0) > current_app.config["IMPORT_JOB_ROWS"]:
        jobs.enqueue_after_commit(JOB, rq_options={"job_timeout": 3600}, import_id=imp.id, write=write,
                                  user_id=user.id)
        return True
    db.commit()
    execute(imp.id, write, user)
    return False


def run_job(import_id: int, write: bool, user_id: int | None) -> None:
    """The job: the importer acts (audit shows who), as SYSTEM if they are gone."""
    user = db.session().get(User, user_id) if user_id else None
    execute(import_id, write, user or _system())


def _system():
    from expo.core.models import SYSTEM

    return SYSTEM


def execute(import_id: int, write: bool, user: Actor) -> None:
    """Check (and with ``write`` commit) the import's file; its state says how it ended."""
    session = db.session()
    imp = session.get(Import, import_id)
    try:
        session.execute(delete(ImportRow).where(ImportRow.import_id == imp.id))

        def keep(verdicts: list[Verdict]) -> None:
            db.insert_many(ImportRow.__table__, [_row(imp.id, verdict) for verdict in verdicts])

        counts = process(file_path(imp), imp.kind, imp.mapping, user, write, keep, imp.id,
                         progress=lambda done: report_progress(imp.id, done, imp.total_rows or 0))
        imp.counts, imp.state = counts, "committed" if write else "checked"
        if write:
            imp.committed_at = clock.now()
            audit.record("import", "import", imp.id, user, file_name=imp.file_name, kind=imp.kind, counts=counts)
            call("import_committed", import_id=imp.id, kind=imp.kind, counts=counts, user=user)
        else:
            imp.checked_at = clock.now()
        db.commit()
    except Exception as problem:
        db.rollback()
        if isinstance(problem, ExpoError):
            message = str(problem.message) + "".join(f" {v}" for v in problem.fields.values() if v != problem.message)
        else:
            log.exception("import %s failed", import_id)
            message = str(_l("The import failed and nothing was written: %(problem)s", problem=problem))
        imp = session.get(Import, import_id)
        imp.state, imp.error = "failed", message[:2000]
        db.commit()


def _row(import_id: int, verdict: Verdict) -> dict:
    return {"import_id": import_id, "row": verdict.row, "status": verdict.status, "label": verdict.label[:200],
            "errors": verdict.errors, "client_id": verdict.client_id}


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def process(path: Path, kind: str, mapping: dict, user: Actor, write: bool,
            sink: Callable[[list[Verdict]], None], import_id: int | None = None,
            progress: Callable[[int], None] = lambda done: None) -> dict[str, int]:
    """One pass over the file: check each batch, write it when ``write``, hand the verdicts to
    ``sink``; returns the counts per status. Raises on a file it cannot read."""
    counts = Counter({status: 0 for status in ("new", "update", "duplicate", "invalid")})
    checker = Checker(kind, mapping)
    writer = Writer(checker, user, import_id) if write else None
    done = 0
    with _sheet(path, kind) as sheet:
        for batch in _batches(sheet.rows, BATCH):
            verdicts = checker.check(batch)
            if writer is not None:
                writer.write(verdicts)
            sink(verdicts)
            counts.update(verdict.status for verdict in verdicts)
            done += len(batch)
            progress(done)
    return dict(counts)


def check_now(upload_file, kind: str, mapping: Any, dry_run: bool, user: Actor) -> tuple[dict, list[Verdict]]:
    """The API's import: one request, mapped by ``mapping`` (else the saved or guessed one)."""
    require_importer(user)
    imp = upload(upload_file, kind, user)
    path = file_path(imp)
    try:
        header, _rows = preview(imp, 0)
        if mapping is not None:
            imp.mapping = check_mapping(imp.kind, mapping, header)
        else:
            imp.mapping = check_mapping(imp.kind, imp.mapping, header)
        if dry_run:
            verdicts: list[Verdict] = []
            counts = process(path, imp.kind, imp.mapping, user, False, verdicts.extend)
            db.rollback()  # a dry run leaves nothing behind, not even the import's record
            path.unlink(missing_ok=True)
            return counts, verdicts
        imp.state = "checked"
        db.commit()
    except Exception:
        db.rollback()
        path.unlink(missing_ok=True)
        raise
    execute(imp.id, True, user)
    imp = db.session().get(Import, imp.id)
    if imp.state == "failed":
        raise ValidationError(imp.error)
    rows = db.session().scalars(select(ImportRow).where(ImportRow.import_id == imp.id).order_by(ImportRow.row))
    return imp.counts, [Verdict(r.row, r.status, r.errors, r.label, client_id=r.client_id) for r in rows]


def recent_imports(limit: int) -> list[Import]:
    return list(db.session().scalars(select(Import).order_by(Import.created_at.desc(), Import.id.desc()).limit(limit)))


def row_page(imp: Import, status: str | None, limit: int, offset: int) -> tuple[list[ImportRow], int]:
    from sqlalchemy import func

    query = select(ImportRow).where(ImportRow.import_id == imp.id)
    if status:
        query = query.where(ImportRow.status == status)
    total = db.session().scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session().scalars(query.order_by(ImportRow.row).offset(offset).limit(limit)).all()
    return rows, total


def skipped_file(imp: Import):
    """The skipped rows (duplicates and invalid ones) as the file came, with a column of reasons:
    ``(file object or CSV chunks, mimetype, download name)``."""
    labels = {key: str(f.label) for key, f in fields_of(imp.kind).items()}
    reasons = {row: "; ".join(f"{labels.get(k, k)}: {message}" for k, message in errors.items())
               for row, errors in db.session().execute(
                   select(ImportRow.row, ImportRow.errors).where(ImportRow.import_id == imp.id,
                                                                 ImportRow.status.in_(("duplicate", "invalid"))))}

    def rows(sheet: Sheet):
        yield [str(_l("Row")), str(_l("Reason")), *sheet.header]
        for number, cells in sheet.rows:
            if number in reasons:
                yield [number, reasons[number], *cells]

    stem = Path(imp.file_name).stem or "import"
    with _sheet(file_path(imp), imp.kind) as sheet:
        if sheet.format == "xlsx":
            return xlsx_file(rows(sheet), "skipped"), "xlsx", f"{stem}-skipped.xlsx"
        return "".join(csv_chunks(rows(sheet), sheet.delimiter or ";")).encode(), "csv", f"{stem}-skipped.csv"


# --- progress, for the page's progress bar: in Redis, shared by the worker and the web --------


def _progress_key(import_id: int) -> str:
    return f"expo:import:{import_id}:progress"


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None  # in-process jobs finish before anyone polls
    from redis import Redis

    return Redis.from_url(url, socket_timeout=2)


def report_progress(import_id: int, done: int, total: int) -> None:
    from redis.exceptions import RedisError

    try:
        if (redis := _redis()) is not None:
            redis.set(_progress_key(import_id), f"{done}/{max(total, done)}", ex=86400)
    except RedisError:  # the bar is a courtesy: a Redis hiccup must not fail the import
        log.warning("could not record the progress of import %s", import_id)


def read_progress(import_id: int) -> tuple[int, int] | None:
    from redis.exceptions import RedisError

    try:
        value = (redis := _redis()) and redis.get(_progress_key(import_id))
    except RedisError:
        return None
    if not value:
        return None
    done, _sep, total = value.decode().partition("/")
    return int(done), int(total)
