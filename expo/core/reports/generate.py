"""Generating a report: the request, the job that renders it to PDF, the file, retention.

One code path: ``start`` hands the job to RQ (timeout, retries with back-off) or runs it in-process
when there is no Redis. The job is idempotent: a re-run replaces the report's file.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, select

from expo.core import clock, db, jobs, validation as v
from expo.core.access import Actor
from expo.core.errors import Forbidden, NotFound, ValidationError
from expo.core.models import Exhibition, Report, User
from expo.core.pdf import FONT_DIR, render_pdf
from expo.core.reports.periods import parse_period
from expo.core.reports.sections import available_sections, client_filters
from expo.core.services import audit

JOB = "expo.core.reports.generate:run"
JOB_TIMEOUT = 600
RETRY_INTERVALS = [10, 60, 300]
REQUEST_FIELDS = ("sections", "period", "exhibition_id", "manager_id", "title")


def clean_request(data: Mapping[str, Any]) -> dict:
    """Validate a report request (API or form); every problem at once."""
    plugin_filters = {f.key: f for f in client_filters()}
    errors: dict[str, str] = {key: str(_l("Unknown field.")) for key in data
                              if key not in REQUEST_FIELDS and key not in plugin_filters}
    known = available_sections()
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections or not all(isinstance(s, str) for s in sections):
        errors["sections"] = str(_l("Choose at least one section."))
        sections = []
    elif unknown := [s for s in sections if s not in known]:
        errors["sections"] = str(_l("Unknown sections: %(names)s.", names=", ".join(unknown)))
    try:
        period = parse_period(data.get("period"))
    except ValidationError as problem:
        errors.update(problem.fields)
        period = None
    filters = {}
    for key in ("exhibition_id", "manager_id"):
        value = data.get(key)
        if value in (None, ""):
            continue
        number = v.parse_id(value)
        model = Exhibition if key == "exhibition_id" else User
        if number is None or db.session().get(model, number) is None:
            errors[key] = str(_l("No such exhibition.") if key == "exhibition_id" else _l("No such manager."))
        else:
            filters[key] = number
    for key, plugin_filter in plugin_filters.items():
        value = data.get(key)
        if value in (None, ""):
            continue
        choices = [str(choice) for choice, _label in plugin_filter.choices]
        if str(value) not in choices:
            errors[key] = str(_l("Pick one of the offered values."))
        else:
            filters[key] = str(value)
    title = data.get("title")
    if title is None or title == "":
        title = str(_l("Management report"))
    try:  # one line, no control characters: the title is printed in every page's margin
        title = v.text(200, required=True).convert(title)
        if not title:
            raise v.Invalid(None)
    except v.Invalid:
        errors["title"] = str(_l("One line of text, at most %(n)d characters.", n=200))
    if errors:
        raise ValidationError(fields=errors)
    return {"title": title, "period": period, "sections": list(dict.fromkeys(sections)), "filters": filters}


def create_report(data: Mapping[str, Any], user: Actor) -> Report:
    """A queued report; commit, then ``start`` it. Reports are for everyone but client-managers."""
    if not user.sees_all_clients:
        raise Forbidden()
    report = Report(**clean_request(data), state="queued", created_by_id=user.id,
                    created_at=clock.now())
    db.session().add(report)
    db.session().flush()
    audit.record("create", "report", report.id, user, period=report.period, sections=report.sections)
    return report


def start(report: Report) -> None:
    """Hand the report to the queue (after its row is committed). Redis down: the report fails visibly."""
    try:
        jobs.enqueue(JOB, rq_options=_rq_options(), report_id=report.id)
    except jobs.QueueUnavailable:
        report.state, report.error = "failed", str(_l("The job queue is unavailable."))
        db.commit()
        raise
    except Exception:  # in-process run failed: the job recorded why on the report
        db.rollback()


def _rq_options() -> dict:
    from rq import Retry

    return {"job_timeout": JOB_TIMEOUT, "retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)}


def file_path(report: Report) -> Path:
    return Path(current_app.config["REPORTS_DIR"]) / f"report-{report.id}.pdf"


def report_fonts() -> list[dict]:
    """@font-face entries for the fonts the set-up installs (npm); none means system fonts (DejaVu).

    One family per subset: Pango then takes each character from the family that has it, and
    WeasyPrint embeds the glyphs used, so the PDF reads the same on any machine.
    """
    faces = []
    for subset in ("latin", "cyrillic"):
        for weight in (400, 700):
            path = FONT_DIR / f"noto-sans-{subset}-{weight}-normal.woff"
            if path.exists():
                faces.append({"family": f"Expo {subset.title()}", "url": path.as_uri(), "weight": weight})
    return faces


def finished_file(report: Report) -> Path:
    """The report's PDF, or 404 while it is not (or no longer) there."""
    path = file_path(report)
    if report.state != "done" or not path.exists():
        raise NotFound()
    return path


def render_html(report: Report) -> str:
    sections = available_sections()
    # A section renders trusted HTML (core or installed plugin code), escaped by its own templates.
    parts = [(key, sections[key].title, Markup(sections[key].render(report.period, report.filters)))
             for key in report.sections if key in sections]
    names = []
    if report.filters.get("exhibition_id"):
        exhibition = db.session().get(Exhibition, report.filters["exhibition_id"])
        names.append(exhibition.name if exhibition else "")
    if report.filters.get("manager_id"):
        manager = db.session().get(User, report.filters["manager_id"])
        names.append(manager.name if manager else "")
    for plugin_filter in client_filters():
        value = report.filters.get(plugin_filter.key)
        if value is not None:
            label = dict((str(k), v) for k, v in plugin_filter.choices).get(str(value), value)
            names.append(f"{plugin_filter.label}: {label}")
    return render_template("reports/document.html", report=report, sections=parts, filter_names=names,
                           firm_name=current_app.config["FIRM_NAME"], fonts=report_fonts())


def run(report_id: int) -> str | None:
    """The job: render the report to ``instance/reports/report-<id>.pdf`` (replacing any earlier file)."""
    report = db.session().get(Report, report_id)
    if report is None:
        return None
    report.state, report.attempts, report.error = "running", report.attempts + 1, None
    db.commit()
    try:
        pdf = render_pdf(render_html(report))
        path = file_path(report)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(pdf)
        partial.replace(path)  # atomic: a reader never sees half a file
    except Exception as problem:
        db.rollback()
        report.state, report.error = "failed", f"{type(problem).__name__}: {problem}"[:2000]
        db.commit()
        raise
    report.state, report.file_name, report.finished_at = "done", path.name, clock.now()
    db.commit()
    return path.name


def purge_old_reports() -> int:
    """Scheduled daily: drop reports (and their files) older than the retention setting."""
    cutoff = clock.now() - timedelta(days=current_app.config["REPORT_RETENTION_DAYS"])
    old = db.session().scalars(select(Report).where(Report.created_at < cutoff)).all()
    for report in old:
        file_path(report).unlink(missing_ok=True)
    db.session().execute(delete(Report).where(Report.id.in_([r.id for r in old])))
    return len(old)


def visible_report(user: User, report_id: int) -> Report:
    """Reports carry firm-wide numbers: planners, admins and viewers see them, managers do not."""
    report = db.session().get(Report, report_id)
    if report is None or not user.sees_all_clients:
        raise NotFound()
    return report


def recent_reports(limit: int) -> list[Report]:
    return db.session().scalars(select(Report).order_by(Report.id.desc()).limit(limit)).all()
