"""``record_url``: the list pages' fast link to one record is the URL ``url_for`` builds."""
import pytest
from flask import url_for

from expo.web.links import RecordUrls, TemplateUrls


@pytest.mark.parametrize("endpoint, argument", [("clients.card", "client_id"), ("engagements.show", "engagement_id"),
                                                ("tasks.complete", "task_id")])
def test_a_record_link_is_the_url_url_for_builds(app, endpoint, argument):
    links = RecordUrls(app)
    with app.test_request_context("/"):
        for record_id in (1, 7, 42, 2**31 - 1, 10_000):
            assert links(endpoint, record_id) == url_for(endpoint, **{argument: record_id})


def test_links_follow_where_the_app_is_mounted(app):
    links = RecordUrls(app)
    with app.test_request_context("/", base_url="http://firm.example/crm/"):
        assert links("clients.card", 5) == "/crm/clients/5"
    with app.test_request_context("/"):
        assert links("clients.card", 5) == "/clients/5"


def test_only_a_number_goes_into_a_link(app):
    links = RecordUrls(app)
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            links("clients.card", "5/../../admin")


def test_an_endpoint_without_exactly_one_id_is_refused(app):
    links = RecordUrls(app)
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            links("clients.index", 1)  # no argument at all


@pytest.mark.parametrize("endpoint, values", [("clients.index", {}), ("auth.logout", {}), ("home.index", {}),
                                               ("static", {"filename": "css/expo.css"}),
                                               ("clients.card", {"client_id": 3}),
                                               ("clients.index", {"q": "ООО <Ромашка>", "_anchor": "list"})])
def test_templates_url_for_is_flasks(app, endpoint, values):
    urls = TemplateUrls(app)
    for base_url in ("http://localhost/", "http://firm.example/crm/"):
        for _ in range(2):  # built, then remembered
            with app.test_request_context("/", base_url=base_url):
                assert urls(endpoint, **values) == url_for(endpoint, **values)


def test_templates_url_for_remembers_only_what_never_varies(app):
    urls = TemplateUrls(app)
    with app.test_request_context("/", base_url="http://firm.example/crm/"):
        urls("clients.index")
        urls("static", filename="css/expo.css")
        urls("clients.card", client_id=3)
        urls("clients.index", q="x")
        assert set(urls.known) == {("/crm", "clients.index", None), ("/crm", "static", "css/expo.css")}
    with app.test_request_context("/"):
        assert urls("clients.index") == "/clients/"  # mounted elsewhere: its own entry


def test_templates_url_for_defers_to_url_defaults(app):
    urls = TemplateUrls(app)
    with app.test_request_context("/"):
        assert urls("clients.index") == "/clients/"
    app.url_defaults(lambda endpoint, values: values.setdefault("q", "x") if endpoint == "clients.index" else None)
    with app.test_request_context("/"):
        assert urls("clients.index") == "/clients/?q=x"


def test_pages_build_their_links_with_the_templates_url_for(app):
    assert isinstance(app.jinja_env.globals["url_for"], TemplateUrls)
