"""API for calendars: business hours, holidays, iCalendar imports and a preview of business
time. Changing a calendar needs "change_calendar" (administrators)."""

import json
from datetime import datetime

from django.http.multipartparser import MultiPartParserError
from ninja import Router, Status
from ninja.pagination import paginate

from accord.accounts.auth import require
from accord.accounts.schemas import AuditOut
from accord.lib.errors import InvalidInput

from . import calendars, queries
from .api_common import history_of, visible
from .models import Calendar
from .schemas import CalendarIn, CalendarOut, CalendarPatch, IcalIn, PreviewOut

router = Router(tags=["catalogue"])


@router.get("/calendars", response=list[CalendarOut])
@paginate
def list_calendars(request, q: str | None = None, tz: str | None = None):
    require(request, "view")
    return queries.calendars(request.user, q=q, tz=tz)


@router.post("/calendars", response={201: CalendarOut})
def create_calendar(request, payload: CalendarIn):
    by = require(request, "change_calendar")
    return Status(201, calendars.create_calendar(by=by, **payload.dict()))


@router.get("/calendars/{calendar_id}", response=CalendarOut)
def get_calendar(request, calendar_id: int):
    require(request, "view")
    return visible(request, Calendar, calendar_id)


@router.patch("/calendars/{calendar_id}", response=CalendarOut)
def update_calendar(request, calendar_id: int, payload: CalendarPatch):
    calendar = visible(request, Calendar, calendar_id)
    by = require(request, "change_calendar")
    return calendars.update_calendar(calendar, by=by, **payload.dict(exclude_unset=True))


@router.delete("/calendars/{calendar_id}", response={204: None})
def delete_calendar(request, calendar_id: int):
    calendar = visible(request, Calendar, calendar_id)
    calendars.delete_calendar(calendar, by=require(request, "change_calendar"))
    return Status(204, None)


@router.get("/calendars/{calendar_id}/history", response=list[AuditOut])
@paginate
def calendar_history(request, calendar_id: int):
    return history_of(request, Calendar, calendar_id)


_ICAL_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": IcalIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "replace": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            },
        }
    }
}


def _ical_payload(request) -> IcalIn:
    """The feed from a multipart upload (field "file") or a JSON body {"ics": "..."}."""
    if request.content_type == "multipart/form-data":
        try:
            upload = request.FILES.get("file")
        except MultiPartParserError as exc:
            raise InvalidInput(f"file: the multipart body cannot be read ({exc})",
                               field="file") from None
        if upload is None:
            raise InvalidInput("upload the .ics file in the form field 'file'", field="file")
        replace = request.POST.get("replace", "").lower() in ("1", "true", "yes", "on")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("file: an iCalendar file must be UTF-8 text", field="file")
        return IcalIn(ics=text, replace=replace)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise InvalidInput("the body must be JSON {\"ics\": \"...\"} or a multipart upload",
                           field="ics")
    if not isinstance(body, dict) or not isinstance(body.get("ics"), str):
        raise InvalidInput("ics must be the text of an iCalendar file", field="ics")
    if not isinstance(body.get("replace", False), bool):
        raise InvalidInput("replace must be true or false", field="replace")
    return IcalIn(ics=body["ics"], replace=body.get("replace", False))


@router.post("/calendars/{calendar_id}/ical", response=CalendarOut, openapi_extra=_ICAL_BODY)
def import_ical(request, calendar_id: int):
    """Close the calendar on the feed's all-day events (holidays) and timed events."""
    calendar = visible(request, Calendar, calendar_id)
    by = require(request, "change_calendar")
    payload = _ical_payload(request)
    return calendars.import_ical(calendar, payload.ics, by=by, replace=payload.replace)


@router.get("/calendars/{calendar_id}/preview", response=PreviewOut)
def preview(request, calendar_id: int, start: datetime, end: datetime,
            seconds: float | None = None):
    """Business seconds in [start, end) and, given ``seconds``, when they fall due."""
    require(request, "view")
    calendar = visible(request, Calendar, calendar_id)
    return calendars.preview(calendar, start=start, end=end, seconds=seconds)
