"""/api/v1/exhibitions."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import db
from expo.core.errors import NotFound
from expo.core.models import Exhibition
from expo.core.services import exhibitions as service
from expo.web.api import bp
from expo.web.api.common import api_user, body, exhibition_json, listing, paging


def _get(exhibition_id: int) -> Exhibition:
    exhibition = db.session().get(Exhibition, exhibition_id)
    if exhibition is None:
        raise NotFound()
    return exhibition


@bp.get("/exhibitions")
def exhibitions_list():
    limit, offset = paging()
    total = db.session().scalar(select(func.count(Exhibition.id)))
    rows = db.session().scalars(select(Exhibition).order_by(Exhibition.starts_on.desc(), Exhibition.id)
                                .offset(offset).limit(limit))
    return listing([exhibition_json(x) for x in rows], total, limit, offset)


@bp.post("/exhibitions")
def exhibitions_create():
    exhibition = service.create_exhibition(body(), api_user())
    db.commit()
    return exhibition_json(exhibition), 201


@bp.get("/exhibitions/<int:exhibition_id>")
def exhibitions_get(exhibition_id: int):
    return exhibition_json(_get(exhibition_id))


@bp.patch("/exhibitions/<int:exhibition_id>")
def exhibitions_patch(exhibition_id: int):
    exhibition = _get(exhibition_id)
    service.update_exhibition(exhibition, body(), api_user())
    db.commit()
    return exhibition_json(exhibition)
