"""User document templates cannot exhaust CPU or memory (issue 8, item 2): each overstep is a clear 422."""
from __future__ import annotations

import itertools
import json
import threading
import time

import pytest

from expo.core import db
from expo.core.models import User
from expo.testing import PageClient
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario


@pytest.fixture
def document(make_app, make_user):
    """``document(template)``: the engagement page's document URL for that template, and a logged-in page."""
    app = make_app(DOCUMENT_TIMEOUT=3, DOCUMENT_MEMORY_MB=200)
    planner = make_user("planner", email="p@firm.ru")
    page = PageClient(app)
    page.login("p@firm.ru")
    made = itertools.count()

    def make(template: str) -> str:
        definition = json.loads(json.dumps(DESIGN_EXAMPLE))
        definition["steps"][0]["actions"][0]["document_template"] = template
        with app.app_context():
            p = db.session().get(User, planner.id)
            n = next(made)
            scenario = new_scenario(p, dict(definition, name=f"S {n}"))
            engagement = new_engagement(p, new_client(p, name=f"К {n}"), new_exhibition(p, name=f"В {n}"),
                                        scenario_id=scenario.id)
            return f"/engagements/{engagement.id}/documents/{scenario.steps[0].actions[0].id}.html"

    make.page = page
    return make


def _refusal(document, template) -> str:
    response = document.page.get(document(template))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("template, says", [
    ("{{ ((9**99)**99)**99 }}", "more than 1024 bits"),
    ("{{ 'x'|center(50000000) }}", "larger than the allowed 10000"),
    ("{{ '%050000000d'|format(1) }}", "a width of 50000000"),
    ("{{ '{:>50000000}'.format(1) }}", "a width of 50000000"),
    ("{{ ('x' * 100000)|replace('x', 'yyyy') }}", "longer than 100000 characters"),
    ("{{ 'x'|indent(50000000) }}", "larger than the allowed 10000"),
    ("{{ 'x'.ljust(50000000) }}", "larger than the allowed 10000"),
    ("{{ ([('x' * 100000)] * 1000)|join }}", "longer than 100000 characters"),
    ("{% for i in range(10000) %}{{ 'x' * 100000 }}{% endfor %}", "longer than 500000 characters"),
])
def test_the_reviewers_templates_are_refused_by_a_check(document, template, says):
    html = _refusal(document, template)
    assert says in html and "longer than 3 s" not in html  # a bound's message, not the deadline's


def test_a_template_that_loops_for_ever_is_stopped_at_the_deadline(document):
    html = _refusal(document, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    assert "longer than 3 s" in html


def test_a_template_that_grows_memory_is_stopped_by_the_limit(document):
    html = _refusal(document, "{% set ns = namespace(s='x' * 100000) %}{% for i in range(30) %}"
                              "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}")
    assert "more than 200 MB" in html


def test_a_runaway_template_does_not_freeze_other_requests(document):
    slow = document("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    ordinary = document("Dear {{ client.name }}")
    other = PageClient(document.page.app)
    other.login("p@firm.ru")
    done = []
    runner = threading.Thread(target=lambda: done.append(document.page.get(slow).status_code))
    runner.start()
    time.sleep(0.3)
    response = other.get(ordinary)
    assert response.status_code == 200 and "Dear К" in response.get_data(as_text=True)
    assert runner.is_alive()  # served while the runaway template still runs (it is stopped at 3 s)
    runner.join()
    assert done == [422]


def test_ordinary_documents_still_fill_after_a_worker_was_killed(document):
    _refusal(document, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    response = document.page.get(document("Offer for {{ client.name }}: {{ '%d'|format(1500000) }} "
                                          "{{ engagement.expected_amount }} {{ ['a', 'b']|join(', ') }}"))
    assert response.status_code == 200 and "1500000" in response.get_data(as_text=True)


def test_a_huge_document_is_laid_out_as_a_pdf_in_a_child_process_and_stopped_in_time(make_app, make_user):
    """A template inside every bound can still fill a document WeasyPrint needs minutes for (160 000
    lines): the PDF is laid out in a child process, stopped at EXPO_DOCUMENT_PDF_TIMEOUT (a 422)."""
    app = make_app(DOCUMENT_PDF_TIMEOUT=3)
    planner = make_user("planner", email="p@firm.ru")
    definition = json.loads(json.dumps(DESIGN_EXAMPLE))
    definition["steps"][0]["actions"][0]["document_template"] = (
        "{% for i in range(400) %}{% for j in range(400) %}x\n{% endfor %}{% endfor %}")
    definition["steps"][1]["actions"] = [{"title": "Offer", "deadline_days": 1, "hard": False,
                                          "document_template": "Offer for {{ client.name }}"}]
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p, definition)
        engagement = new_engagement(p, new_client(p, name="ООО «Длинный»"), new_exhibition(p), scenario_id=scenario.id)
        huge, short = scenario.steps[0].actions[0].id, scenario.steps[1].actions[0].id
    page = PageClient(app)
    page.login("p@firm.ru")
    started = time.monotonic()
    refused = page.get(f"/engagements/{engagement.id}/documents/{huge}.pdf")
    assert refused.status_code == 422 and "more than 3 s" in refused.get_data(as_text=True)
    assert time.monotonic() - started < 10
    printed = page.get(f"/engagements/{engagement.id}/documents/{short}.pdf")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")


def test_a_full_pool_answers_busy_instead_of_queueing_for_ever(document, monkeypatch):
    from expo.core import sandbox_pool

    pool = sandbox_pool.Pool(size=1, memory_mb=200)
    held = pool._take(wait=1)  # the only worker, taken by a runaway template
    started = time.monotonic()
    with pytest.raises(sandbox_pool.TemplateLimit) as refused:
        pool._take(wait=0.3)
    assert refused.value.kind == "busy" and 0.25 < time.monotonic() - started < 2
    pool._give_back(held)
    pool.close()
    # … which the page answers 503 with a message, not a 422 about the template
    url = document("Dear {{ client.name }}")
    def every_worker_taken(*_args, **_kwargs):
        raise sandbox_pool.TemplateLimit("busy")

    monkeypatch.setattr(sandbox_pool, "fill", every_worker_taken)
    response = document.page.get(url)
    assert response.status_code == 503 and "other documents" in response.get_data(as_text=True)


def test_pdf_printing_takes_turns(monkeypatch):
    from expo.core import pdf

    slot = pdf._slot(1)
    assert slot.acquire(timeout=1)  # one rendering under way
    try:
        with pytest.raises(pdf.PdfLimit) as refused:
            pdf.render_pdf_isolated("<p>x</p>", timeout=0.3, memory_mb=1024, concurrent=1)
        assert refused.value.kind == "busy"
    finally:
        slot.release()
    assert pdf.render_pdf_isolated("<p>x</p>", timeout=20, memory_mb=1024, concurrent=1).startswith(b"%PDF")
