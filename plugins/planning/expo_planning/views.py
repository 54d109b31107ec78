"""Pages at /planning: the period page (plan vs fact, the error trend, the recommendation, the
gap and its replacement candidates), an engagement's budget panel with its forms and history,
and the distribution of an exhibition's work among the managers (``distribution_views``).

Reading is for those who see the whole base (planners, admins, viewers); the budget panel is
for whoever sees the engagement. Every write is a POST with CSRF, checked by the services.
"""
from __future__ import annotations

from expo.hooks import protected_blueprint

bp = protected_blueprint("planning", __name__, url_prefix="/planning", template_folder="templates")

from expo_planning import distribution_views  # noqa: E402  (its routes go on the same blueprint)

distribution_views.register(bp)
