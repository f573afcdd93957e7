"""Request and response shapes of the catalogue API.

Input schemas check types only; the rules (names unique, criticality 1–4, status moves,
time zones, hours) live in services.py and calendars.py, so the admin obeys them too.
PATCH schemas have every field optional; only the fields sent are changed.
"""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from accord.lib.schemas import Id, In, Int


class ServiceIn(In):
    name: str
    description: str = ""
    owner: Id | None = None
    criticality: Int = 3
    status: str = "pipeline"
    calendar: Id | None = None


class ServicePatch(In):
    name: str = None
    description: str = None
    owner: Id | None = None
    criticality: Int = None
    status: str = None
    calendar: Id | None = None


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    owner: int | None = Field(None, alias="owner_id")
    criticality: int
    status: str
    calendar: int | None = Field(None, alias="calendar_id")


class ComponentIn(In):
    name: str
    kind: str
    description: str = ""
    supplier: Id | None = None


class ComponentPatch(In):
    name: str = None
    kind: str = None
    description: str = None
    supplier: Id | None = None


class ComponentOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    supplier: int | None = Field(None, alias="supplier_id")


class CustomerIn(In):
    name: str
    description: str = ""
    calendar: Id | None = None
    tz: str = ""
    contact_email: str = ""
    contacts: list[Id] = []


class CustomerPatch(In):
    name: str = None
    description: str = None
    calendar: Id | None = None
    tz: str = None
    contact_email: str = None
    contacts: list[Id] = None


class CustomerOut(Schema):
    id: int
    name: str
    description: str
    calendar: int | None = Field(None, alias="calendar_id")
    tz: str
    contact_email: str
    contacts: list[int]

    @staticmethod
    def resolve_contacts(obj):
        return sorted(u.pk for u in obj.contacts.all())


class TeamIn(In):
    name: str
    description: str = ""
    email: str = ""
    calendar: Id | None = None
    members: list[Id] = []


class TeamPatch(In):
    name: str = None
    description: str = None
    email: str = None
    calendar: Id | None = None
    members: list[Id] = None


class TeamOut(Schema):
    id: int
    name: str
    description: str
    email: str
    calendar: int | None = Field(None, alias="calendar_id")
    members: list[int]

    @staticmethod
    def resolve_members(obj):
        return sorted(u.pk for u in obj.members.all())


class SupplierIn(In):
    name: str
    description: str = ""
    contact_email: str = ""
    calendar: Id | None = None
    contacts: list[Id] = []


class SupplierPatch(In):
    name: str = None
    description: str = None
    contact_email: str = None
    calendar: Id | None = None
    contacts: list[Id] = None


class SupplierOut(Schema):
    id: int
    name: str
    description: str
    contact_email: str
    calendar: int | None = Field(None, alias="calendar_id")
    contacts: list[int]

    @staticmethod
    def resolve_contacts(obj):
        return sorted(u.pk for u in obj.contacts.all())


Intervals = list[list[str]]


class CalendarIn(In):
    name: str
    description: str = ""
    tz: str = "UTC"
    hours: dict[str, Intervals] = {}
    always_open: bool = False
    holidays: list[str] = []
    country: str = ""
    subdivision: str = ""
    exceptions: dict[str, Intervals] = {}
    closures: Intervals = []


class CalendarPatch(In):
    name: str = None
    description: str = None
    tz: str = None
    hours: dict[str, Intervals] = None
    always_open: bool = None
    holidays: list[str] = None
    country: str = None
    subdivision: str = None
    exceptions: dict[str, Intervals] = None
    closures: Intervals = None


class CalendarOut(Schema):
    id: int
    name: str
    description: str
    tz: str
    hours: dict[str, Intervals]
    always_open: bool
    holidays: list[str]
    country: str
    subdivision: str
    exceptions: dict[str, Intervals]
    closures: Intervals
    version: int


class IcalIn(In):
    ics: str = Field(description="The text of an iCalendar (.ics) file.")
    replace: bool = Field(False, description="Replace holidays and closures instead of adding.")


class PreviewOut(Schema):
    calendar: int
    version: int
    start: datetime
    end: datetime
    elapsed_seconds: float
    open_intervals: list[list[datetime]]
    seconds: float | None
    due: datetime | None


class DependencyIn(In):
    depends_on_service: Id | None = None
    depends_on_component: Id | None = None
    group: Id | None = None


class DependencyOut(Schema):
    id: int
    service: int = Field(alias="service_id")
    depends_on_service: int | None = Field(None, alias="depends_on_service_id")
    depends_on_component: int | None = Field(None, alias="depends_on_component_id")
    group: int | None = Field(None, alias="group_id")


class MemberIn(In):
    service: Id | None = None
    component: Id | None = None


class GroupIn(In):
    name: str
    min_up: Int = 1
    members: list[MemberIn]


class GroupPatch(In):
    name: str = None
    min_up: Int = None


class GroupOut(Schema):
    id: int
    service: int = Field(alias="service_id")
    name: str
    min_up: int
    members: list[int]

    @staticmethod
    def resolve_members(obj):
        return sorted(d.pk for d in obj.members.all())


class TreeOut(Schema):
    service: int
    tree: dict = Field(description="Nested: service → depends_on [component | service | "
                                   "redundant group with min_up and members].")
