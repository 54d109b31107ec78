"""``record_url``: the list pages' fast link to one record is the URL ``url_for`` builds."""
import pytest
from flask import url_for

from expo.web.links import RecordUrls


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
