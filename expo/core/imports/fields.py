"""What an import can fill, the headers each field is recognised by, and column mappings.

A mapping is ``{field: column number}`` (1-based, as a spreadsheet counts). It is guessed from the
header (Russian and English names, as people and 1C write them), editable on the mapping step,
and remembered per header, so the next file with the same columns maps itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from expo.core import clock, db
from expo.core.errors import ValidationError
from expo.core.imports import cells
from expo.core.models import ImportMapping


@dataclass(frozen=True)
class ImportField:
    key: str
    label: Any  # lazy translated
    headers: tuple[str, ...]  # recognised header names, compared by :func:`header_name`
    parse: Callable[[Any], Any] = cells.as_text


def _signed(value):
    return cells.as_amount(value, signed=True)


def _multiline(value):
    return cells.as_text(value, multiline=True)


CLIENT_FIELDS = (
    ImportField("name", _l("Name"), ("наименование", "название", "наименованиеклиента", "полноенаименование",
                                      "клиент", "компания", "организация", "контрагент", "name", "company",
                                      "companyname", "client", "organization")),
    ImportField("tax_id", _l("Tax id"), ("инн", "иннклиента", "иннкпп", "taxid", "inn", "tin", "vat"),
                cells.as_tax_id),
    ImportField("region", _l("Region"), ("регион", "город", "область", "region", "city")),
    ImportField("industry", _l("Industry"), ("отрасль", "сфера", "сферадеятельности", "industry", "sector")),
    ImportField("channel", _l("Sales channel"), ("канал", "каналпродаж", "источник", "channel", "saleschannel",
                                                 "source")),
    ImportField("email", _l("E-mail"), ("email", "почта", "электроннаяпочта", "элпочта", "emailкомпании", "mail")),
    ImportField("phone", _l("Phone"), ("телефон", "тел", "телефонкомпании", "phone", "telephone")),
    ImportField("website", _l("Website"), ("сайт", "вебсайт", "website", "web", "site", "url")),
    ImportField("notes", _l("Notes"), ("примечание", "примечания", "комментарий", "заметки", "notes", "comment",
                                       "comments"), _multiline),
    ImportField("contact_name", _l("Contact"), ("контакт", "контактноелицо", "фио", "контактфио", "contact",
                                                "contactname", "contactperson", "person")),
    ImportField("contact_position", _l("Position"), ("должность", "position", "jobtitle", "title")),
    ImportField("contact_phone", _l("Contact's phone"), ("телефонконтакта", "мобильный", "мобильныйтелефон",
                                                         "сотовый", "mobile", "contactphone", "mobilephone")),
    ImportField("contact_email", _l("Contact's e-mail"), ("emailконтакта", "почтаконтакта", "contactemail")),
    ImportField("contact_birthday", _l("Contact's birthday"), ("деньрождения", "датарождения", "birthday",
                                                               "dateofbirth", "birthdate"), cells.as_date),
)

SALE_FIELDS = (
    ImportField("client", _l("Client"), ("клиент", "контрагент", "покупатель", "наименование", "организация",
                                         "client", "customer", "name", "company")),
    ImportField("tax_id", _l("Tax id"), ("инн", "иннкпп", "иннклиента", "иннпокупателя", "taxid", "inn", "tin"),
                cells.as_tax_id),
    ImportField("email", _l("E-mail"), ("email", "почта", "электроннаяпочта", "элпочта")),
    ImportField("sold_on", _l("Date"), ("дата", "датапродажи", "датадокумента", "датаотгрузки", "период", "date",
                                        "saledate", "sold", "soldon"), cells.as_date),
    ImportField("amount", _l("Amount"), ("сумма", "суммапродажи", "выручка", "сумма руб", "суммасндс", "amount",
                                         "sum", "revenue", "total"), _signed),
    ImportField("margin", _l("Margin"), ("маржа", "прибыль", "валоваяприбыль", "наценка", "margin", "profit",
                                         "grossprofit"), _signed),
    ImportField("number", _l("Document number"), ("номер", "номердокумента", "документ", "счет", "number",
                                                  "docnumber", "document", "invoice")),
)

FIELDS = {"clients": CLIENT_FIELDS, "sales": SALE_FIELDS}
# At least one of these must be mapped: they say which client a row is about.
IDENTITY = {"clients": ("name", "tax_id", "email"), "sales": ("client", "tax_id", "email")}
REQUIRED = {"clients": (), "sales": ("sold_on", "amount")}
_NOT_WORD = re.compile(r"[^0-9a-zа-я]+")


def header_name(text: str) -> str:
    """A header cell compared loosely: case, ё, spaces and punctuation ignored ("E-mail" = "email")."""
    return _NOT_WORD.sub("", (text or "").casefold().replace("ё", "е"))


def fields_of(kind: str) -> dict[str, ImportField]:
    return {field.key: field for field in FIELDS[kind]}


def _field_by_header(kind: str) -> dict[str, str]:
    return {header_name(name): field.key for field in FIELDS[kind] for name in field.headers}


def known_headers(kind: str) -> Callable[[list[str]], int]:
    """How many cells of a row name fields of ``kind`` (to tell the header from a title line)."""
    known = _field_by_header(kind)
    return lambda row: sum(1 for cell in row if header_name(cell) in known)


def guess_mapping(kind: str, header: list[str]) -> dict[str, int]:
    """``{field: column}`` from the header; a repeated header maps its first column only."""
    known = _field_by_header(kind)
    mapping: dict[str, int] = {}
    for column, cell in enumerate(header, start=1):
        field = known.get(header_name(cell))
        if field and field not in mapping:
            mapping[field] = column
    return mapping


def check_mapping(kind: str, mapping: Any, header: list[str]) -> dict[str, int]:
    """A mapping given by a person or an API call, checked: known fields, columns of this file
    (numbers, or header names that appear once), no column twice, the needed fields present.
    Raises a ValidationError on ``mapping`` listing every problem."""
    problems: list[str] = []
    if not isinstance(mapping, dict):
        raise ValidationError(fields={"mapping": str(_l("The mapping must be an object: {field: column}."))})
    known = fields_of(kind)
    by_name: dict[str, list[int]] = {}
    for column, cell in enumerate(header, start=1):
        by_name.setdefault(header_name(cell), []).append(column)
    resolved: dict[str, int] = {}
    for field, column in mapping.items():
        if field not in known:
            problems.append(str(_l("Unknown field “%(field)s”.", field=field)))
            continue
        if column in (None, "", 0):
            continue
        if isinstance(column, str) and not column.strip().isdigit():
            columns = by_name.get(header_name(column), [])
            if len(columns) != 1:
                problems.append(str(_l("“%(header)s” is not a column of this file.", header=column) if not columns
                                    else _l("“%(header)s” heads several columns: give the column number.",
                                            header=column)))
                continue
            column = columns[0]
        try:
            number = int(column)
        except (TypeError, ValueError):
            number = 0
        if isinstance(column, bool) or not 1 <= number <= len(header):
            problems.append(str(_l("%(field)s: no column %(column)s in this file.", field=field, column=column)))
            continue
        resolved[field] = number
    repeated = {c for c in resolved.values() if list(resolved.values()).count(c) > 1}
    if repeated:
        problems.append(str(_l("A column is mapped to more than one field.")))
    if not any(field in resolved for field in IDENTITY[kind]):
        problems.append(str(_l("Map at least one of: %(fields)s.",
                               fields=", ".join(str(known[f].label) for f in IDENTITY[kind]))))
    missing = [str(known[f].label) for f in REQUIRED[kind] if f not in resolved]
    if missing:
        problems.append(str(_l("Map the required fields: %(fields)s.", fields=", ".join(missing))))
    if problems:
        raise ValidationError(fields={"mapping": " ".join(problems)})
    return resolved


def saved_mapping(kind: str, header_key: str) -> dict[str, int] | None:
    return db.session().scalar(select(ImportMapping.mapping).where(ImportMapping.kind == kind,
                                                                   ImportMapping.header_key == header_key))


def remember_mapping(kind: str, header_key: str, mapping: dict[str, int]) -> None:
    """Keep ``mapping`` for the next file with this header (the firm's, not one person's)."""
    db.upsert(ImportMapping.__table__, {"kind": kind, "header_key": header_key, "mapping": mapping,
                                        "updated_at": clock.now()},
              keys=("kind", "header_key"), update=("mapping", "updated_at"))
