"""Expo's test kit, for the core's tests and every plugin's: a pytest plugin (entry point
``pytest11``), so installing Expo makes these fixtures available to any test run.

Fixtures
    ``app``            the app under test, once on SQLite and once on PostgreSQL (parametrised)
    ``make_app``       ``make_app(plugins=[module], PLUGINS="ratings", **config)`` for more apps
    ``client``         a page client with real CSRF (``client.login(email)``, ``client.submit(url, data)``)
    ``login_as``       ``login_as(user)``: a page client logged in as that user
    ``api``            ``api(user)``: a JSON API client with that user's bearer token
    ``make_user``      ``make_user(role, email=None, name=None, grants=())``, password ``PASSWORD``
    ``planner``        a planner (p@firm.ru), with ``client`` logged in as them
    ``ctx``            an app context and its session, for service-level tests
    ``runner``         the ``expo`` command line of ``app``
    ``recorder``       a :class:`Recorder` of lifecycle hooks (``make_app(plugins=[recorder])``)
    ``frozen_clock``   the core's clock stopped at a known Monday (``.set()``, ``.advance()``)
    ``live_server``, ``page``, ``browser``: a served app and Chromium (Playwright) for page tests

Marker
    ``@pytest.mark.plugins("ratings,funnel")`` enables just those installed plugins in ``app``,
    ``make_app`` and ``live_app`` (``"none"`` for the bare core).

Helpers
    factories that go through the core's services (``new_client``, ``new_contact``, ``new_exhibition``,
    ``new_engagement``, ``new_scenario``, ``walk``, ``reopen``, ``purge_deleted_clients``,
    ``DESIGN_EXAMPLE``, ``LOOP_EXAMPLE``), ``count_queries``,
    ``migrate``, ``unmigrate``, ``log_in``, ``screenshot`` and ``axe`` (browser), ``PageClient``, ``ApiClient``; real spreadsheet
    files (``xlsx_bytes``, ``csv_bytes``, ``upload``) for import tests.
"""
from __future__ import annotations

from expo.testing.browser import (DESKTOP, PHONE, axe, browser, describe_violations, live_app, live_server,  # noqa: F401
                                  log_in, page, screenshot)
from expo.testing.files import csv_bytes, upload, xlsx_bytes  # noqa: F401
from expo.testing.factories import (DESIGN_EXAMPLE, LOOP_EXAMPLE, new_client, new_contact, new_engagement,  # noqa: F401
                                    new_exhibition, new_scenario, new_scenario_version, purge_deleted_clients,
                                    reopen, walk)
from expo.testing.fixtures import (PASSWORD, ApiClient, FrozenClock, PageClient, api, app, as_app,  # noqa: F401
                                   client, count_queries, ctx, database_url, empty_all_tables, frozen_clock,
                                   install_plugin, login_as, make_app, make_user, migrate, planner, recorder,
                                   runner, unmigrate)
from expo.testing.recorder import LIFECYCLE, Recorder  # noqa: F401


def pytest_configure(config):
    config.addinivalue_line("markers", "plugins(names): enable just these installed plugins (EXPO_PLUGINS syntax)")
