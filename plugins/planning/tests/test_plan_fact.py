"""Plan vs fact, the planning error, the recommendation and the gap, for hand-made periods,
through the core's services (on SQLite and PostgreSQL)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from expo.hooks import ValidationError, commit, db_session, models
from expo.testing import new_client, new_engagement
from expo_planning import queries, services
from expo_planning.models import BudgetChange


def month(period: str) -> queries.Scope:
    return queries.Scope(queries.Span(period, period, period))


def test_domain_example_planned_refined_actual_gives_a_25_percent_error(app, firm, kit):
    """DOMAIN.md: September planned 100 M, refined to 80 M, contracts 75 M — error 25 %."""
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "60000000.00", "2026-09", planner)
        kit.planned(firm.e["a2"], "40000000.00", "2026-09", planner)
        services.refine(kit.engagement(firm.e["a1"]), {"amount": "50000000", "comment": "budget cut"}, ann)
        services.refine(kit.engagement(firm.e["a2"]), {"amount": "30000000"}, ann)
        commit()
        kit.won(firm.e["a1"], "45000000.00", ann)
        kit.won(firm.e["a2"], "30000000.00", ann)
        fact = queries.totals(month("2026-09"))
        assert (fact.planned, fact.refined, fact.actual, fact.lost) == (D("100000000.00"), D("80000000.00"),
                                                                        D("75000000.00"), D("0.00"))
        assert (fact.error, fact.refined_error, fact.clients, fact.won, fact.open) == (D("0.2500"), D("0.0625"), 2, 2, 0)
        assert queries.totals(month("2026-08")).planned == D("0.00")


def test_lost_amounts_quarters_years_and_breakdowns(app, firm, kit):
    with app.app_context():
        planner, ann, bob = kit.user(firm.planner.id), kit.user(firm.ann.id), kit.user(firm.bob.id)
        kit.planned(firm.e["a1"], "100.00", "2026-07", planner)
        kit.planned(firm.e["a2"], "50.00", "2026-08", planner)
        kit.planned(firm.e["a3"], "30.00", "2026-09", planner)
        kit.planned(firm.e["b1"], "20.00", "2026-09", planner)
        kit.won(firm.e["a1"], "90.00", ann)
        kit.lost(firm.e["a2"], ann)
        kit.won(firm.e["b1"], "25.00", bob)
        quarter = queries.totals(queries.Scope(queries.parse_span("2026-Q3")))
        assert (quarter.planned, quarter.actual, quarter.lost, quarter.engagements, quarter.open) == (
            D("200.00"), D("115.00"), D("50.00"), 4, 1)
        assert quarter.error == D("0.4250")
        assert queries.totals(queries.Scope(queries.parse_span("2026"))).planned == D("200.00")
        managers = {name: (fact.planned, fact.actual) for _, name, fact in queries.by_manager(queries.Scope(queries.parse_span("2026-09")))}
        assert managers == {"Анна": (D("30.00"), D("0.00")), "Борис": (D("20.00"), D("25.00"))}
        assert [(name, fact.planned) for _, name, fact in queries.by_exhibition(queries.Scope(queries.parse_span("2026-Q3")))] == [
            ("Иннопром", D("200.00"))]
        only_bob = queries.totals(queries.Scope(queries.parse_span("2026-Q3"), manager_id=firm.bob.id))
        assert (only_bob.planned, only_bob.error) == (D("20.00"), D("-0.2500"))


def test_sums_are_exact_to_the_kopeck(app, firm, kit, make_user):
    with app.app_context():
        planner = kit.user(firm.planner.id)
        amounts = ["0.10", "0.20", "0.01", "9999999999.99", "0.07"] * 6
        for i, amount in enumerate(amounts):
            client = new_client(planner, name=f"Клиент {i}")
            engagement = new_engagement(planner, client, firm.fair)
            kit.planned(engagement.id, amount, "2026-10", planner)
        assert queries.totals(month("2026-10")).planned == sum(D(a) for a in amounts) == D("60000000002.22")


def test_history_keeps_every_change_and_actual_follows_the_core(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "100", "2026-09", planner)
        kit.planned(firm.e["a1"], "120", "2026-10", planner)
        services.refine(kit.engagement(firm.e["a1"]), {"amount": "110", "comment": "after the meeting"}, ann)
        commit()
        kit.won(firm.e["a1"], "105.50", ann)
        history = [(c.kind, c.period, c.old_amount, c.amount, c.comment, c.user_id)
                   for c in db_session().query(BudgetChange).order_by(BudgetChange.id)]
        assert history == [("planned", "2026-09", None, D("100.00"), None, firm.planner.id),
                           ("planned", "2026-10", D("100.00"), D("120.00"), None, firm.planner.id),
                           ("refined", "2026-10", None, D("110.00"), "after the meeting", firm.ann.id),
                           ("actual", "2026-10", None, D("105.50"), None, firm.ann.id)]
        assert kit.engagement(firm.e["a1"]).contract_amount == D("105.50")  # one number: the core's


@pytest.mark.parametrize("data, field", [({"amount": "-1", "period": "2026-09"}, "amount"),
                                         ({"amount": "abc", "period": "2026-09"}, "amount"),
                                         ({"amount": "1.001", "period": "2026-09"}, "amount"),
                                         ({"amount": "10", "period": "2026-13"}, "period"),
                                         ({"amount": "10", "period": "26-09"}, "period"),
                                         ({"amount": "10"}, "period")])
def test_bad_planned_input_changes_nothing(app, firm, kit, data, field):
    with app.app_context():
        with pytest.raises(ValidationError) as refused:
            services.set_planned(kit.engagement(firm.e["a1"]), data, kit.user(firm.planner.id))
        assert field in refused.value.fields
        db_session().rollback()
        assert services.budget_of(firm.e["a1"]) is None


def test_rights_closed_periods_and_results(app, firm, kit):
    from expo.hooks import Forbidden

    with app.app_context():
        planner, ann, bob, viewer = (kit.user(firm.planner.id), kit.user(firm.ann.id), kit.user(firm.bob.id),
                                     kit.user(firm.viewer.id))
        with pytest.raises(Forbidden):
            services.set_planned(kit.engagement(firm.e["a1"]), {"amount": "1", "period": "2026-09"}, ann)
        kit.planned(firm.e["a1"], "100", "2026-09", planner)
        for someone in (bob, viewer):  # another manager's, a reader's
            with pytest.raises(Forbidden):
                services.refine(kit.engagement(firm.e["a1"]), {"amount": "1"}, someone)
        with pytest.raises(ValidationError):  # not won yet
            services.set_actual(kit.engagement(firm.e["a1"]), {"amount": "1"}, ann)
        with pytest.raises(ValidationError):  # nothing planned to refine
            services.refine(kit.engagement(firm.e["a2"]), {"amount": "1"}, ann)
        services.close_period("2026-09", planner)
        commit()
        with pytest.raises(ValidationError) as closed:
            services.refine(kit.engagement(firm.e["a1"]), {"amount": "90"}, ann)
        assert "2026-09" in closed.value.fields["amount"]
        db_session().rollback()
        assert services.budget_of(firm.e["a1"]).refined is None


def test_the_recommendation_learns_the_ratio_from_settled_periods(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        with pytest.raises(ValidationError) as none_yet:
            queries.recommend("2026-12", D("100"))
        assert "No basis" in none_yet.value.fields["period"]
        kit.planned(firm.e["a1"], "60", "2026-08", planner)
        kit.planned(firm.e["a2"], "40", "2026-08", planner)
        kit.planned(firm.e["a3"], "10", "2026-09", planner)  # still open: September is no basis
        kit.won(firm.e["a1"], "75", ann)
        kit.lost(firm.e["a2"], ann)
        rec = queries.recommend("2026-12", D("100"))
        assert [month for month, _ in rec.basis] == ["2026-08"]
        assert (rec.realisation_ratio, rec.plan) == (D("0.7500"), D("133.33"))
        assert (rec.naive_plan, rec.naive_yield) == (D("125.00"), D("93.75"))  # the seed's rule undershoots
        with pytest.raises(ValidationError):  # nothing before August
            queries.recommend("2026-08", D("100"))


def test_a_refusal_grows_the_gap_and_tells_the_planners(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        services.set_target("2026-09", {"target": "100"}, planner)
        kit.planned(firm.e["a1"], "60", "2026-09", planner)
        kit.planned(firm.e["a2"], "40", "2026-09", planner)
        before = queries.period_plan("2026-09")
        assert (before.expected, before.gap, before.realisation_ratio) == (D("100.00"), D("0.00"), None)
        kit.lost(firm.e["a2"], ann)
        after = queries.period_plan("2026-09")
        assert (after.fact.lost, after.expected, after.gap) == (D("40.00"), D("60.00"), D("40.00"))
        notes = db_session().query(models.Notification).filter_by(user_id=firm.planner.id, kind="planning.gap").all()
        assert len(notes) == 1 and "40" in notes[0].text and notes[0].url.startswith("/planning/periods/2026-09")


def test_candidates_rank_by_history_median_and_priority(app, firm, kit, make_app):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        # a won contract elsewhere gives spare1 a history; the median of won contracts is the fallback
        past = new_engagement(planner, db_session().get(models.Client, firm.clients["spare1"].id), firm.fair)
        kit.won(past.id, "500.00", planner)
        kit.won(firm.e["b1"], "100.00", kit.user(firm.bob.id))
        client = db_session().get(models.Client, firm.clients["spare1"].id)
        client.category = "lost"
        commit()
        from expo_planning.candidates import candidates

        rows = candidates(firm.show.id, D("550"))
        assert [(r.name, r.expected, r.from_history, r.running, r.covers, r.chosen) for r in rows] == [
            ("ООО «spare1»", D("500.00"), True, D("500.00"), False, True),
            ("ООО «spare2»", D("300.00"), False, D("800.00"), True, True)]
        assert ann is not None


def test_priority_from_another_plugin_reorders_candidates(app, firm, kit, make_app):
    from expo.hooks import hookimpl

    class Priorities:
        @hookimpl
        def client_priority(self, client_ids):
            return {firm.clients["spare2"].id: 5}

    ranked = make_app(plugins=[Priorities()])
    with ranked.app_context():
        from expo_planning.candidates import candidates

        assert [r.name for r in candidates(firm.show.id, None)] == ["ООО «spare2»", "ООО «spare1»"]
    with app.app_context():
        from expo_planning.candidates import candidates

        assert [r.name for r in candidates(firm.show.id, None)] == ["ООО «spare1»", "ООО «spare2»"]


def test_replacements_open_engagements_with_planned_amounts(app, firm, kit):
    with app.app_context():
        planner = kit.user(firm.planner.id)
        from expo_planning.candidates import open_replacements

        opened = open_replacements(firm.show.id, "2026-09", [firm.clients["spare1"].id], planner)
        commit()
        assert services.budget_of(opened[0].id).planned == D("0.00") and opened[0].state == "open"
        with pytest.raises(ValidationError):  # already engaged now: not a candidate any more
            open_replacements(firm.show.id, "2026-09", [firm.clients["spare1"].id], planner)


def test_the_month_totals_follow_every_change_and_the_resync(app, firm, kit):
    from expo.hooks import assign_engagement
    from expo.testing import reopen
    from expo_planning.models import Budget, Month

    def agree():
        span = queries.Span("all", "2000-01", "2100-12")
        from_budgets = queries.grouped(queries.Scope(span), Budget.period, clients=False)
        assert queries.firm_months(span) == from_budgets
        return from_budgets

    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "100", "2026-08", planner)
        kit.planned(firm.e["a2"], "50", "2026-08", planner)
        kit.planned(firm.e["b1"], "70", "2026-09", planner)
        agree()
        kit.planned(firm.e["a2"], "55", "2026-09", planner)  # moved to another month
        services.refine(kit.engagement(firm.e["b1"]), {"amount": "60"}, planner)
        commit()
        kit.won(firm.e["a1"], "90", ann)
        kit.lost(firm.e["b1"], planner)
        reopen(kit.engagement(firm.e["b1"]), planner)
        assign_engagement(kit.engagement(firm.e["a2"]), firm.bob.id, planner)
        commit()
        months = agree()
        assert [(m, f.planned, f.actual, f.open) for m, f in months] == [("2026-08", D("100.00"), D("90.00"), 0),
                                                                          ("2026-09", D("125.00"), D("0.00"), 2)]
        db_session().query(Month).delete()
        db_session().query(Budget).filter_by(engagement_id=firm.e["a1"]).update({"state": "open", "actual": None})
        commit()
    result = app.test_cli_runner().invoke(args=["planning", "resync"])
    assert result.exit_code == 0 and "3 budgets resynced" in result.output
    with app.app_context():
        assert [(m, f.actual) for m, f in agree()] == [("2026-08", D("90.00")), ("2026-09", D("0.00"))]


def test_the_plan_is_computed_from_the_sums_not_the_rounded_ratio(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "300", "2026-08", planner)
        kit.won(firm.e["a1"], "100", ann)  # ratio 0.3333…
        rec = queries.recommend("2026-12", D("100"))
        assert (rec.realisation_ratio, rec.plan) == (D("0.3333"), D("300.00"))  # not 100 ÷ 0.3333 = 300.03


def test_a_basis_with_nothing_planned_is_refused_not_divided_by(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "0", "2026-08", planner)
        kit.won(firm.e["a1"], "100", ann)
        with pytest.raises(ValidationError) as refused:
            queries.recommend("2026-12", D("100"))
        assert "no realisation ratio" in refused.value.fields["period"]


def test_a_candidates_expected_amount_is_the_mean_rounded_half_up_on_both_databases(app, firm, kit):
    from expo_planning.candidates import candidates

    with app.app_context():
        planner = kit.user(firm.planner.id)
        spare = db_session().get(models.Client, firm.clients["spare1"].id)
        for amount, show in (("0.01", firm.fair), ("0.02", None)):
            from expo.testing import new_exhibition

            e = new_engagement(planner, spare, show or new_exhibition(planner, name="Металлообработка"))
            kit.won(e.id, amount, planner)
        assert [(r.name, r.expected) for r in candidates(firm.show.id, None)][0] == ("ООО «spare1»", D("0.02"))


def test_the_month_table_keeps_huge_sums_exact_on_sqlite_too(app, firm, kit):
    """A float keeps ~16 digits: 100 × 999 999 999 999.99 + 0.01 does not fit one, kopecks do."""
    with app.app_context():
        planner = kit.user(firm.planner.id)
        for i, amount in enumerate(["999999999999.99"] * 100 + ["0.01"]):
            engagement = new_engagement(planner, new_client(planner, name=f"Крупный {i}"), firm.fair)
            services.set_planned(engagement, {"amount": amount, "period": "2026-11"}, planner)
        commit()
        span = queries.Span("2026-11", "2026-11", "2026-11")
        assert queries.firm_months(span)[0][1].planned == queries.totals(queries.Scope(span)).planned \
            == D("99999999999999.01")
