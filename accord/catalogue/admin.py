"""Back office for the catalogue. Every save and delete goes through services.py,
calendars.py or dependencies.py, so admin edits obey the same rules and are audited."""

from django.contrib import admin

from accord.lib.errors import DomainError, InvalidInput

from . import calendars, dependencies, services
from .models import (
    Calendar,
    Component,
    Customer,
    Dependency,
    RedundancyGroup,
    Service,
    Supplier,
    Team,
)


class AuditedAdmin(admin.ModelAdmin):
    """Role-checked admin whose writes go through the domain services."""

    permission = "change_catalogue"

    # --- who may do what: the role table, not Django's per-model permissions
    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.can("view")

    def has_add_permission(self, request):
        return request.user.is_staff and request.user.can(self.permission)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and request.user.can(self.permission)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_staff and request.user.can(self.permission)

    # --- the domain operations, per model
    def validate(self, data: dict, obj):
        services.validate(self.model, data, obj)

    def create(self, data: dict, by):
        return services.create(self.model, by=by, **data)

    def update(self, obj, data: dict, by):
        return services.update(obj, by=by, **data)

    def delete(self, obj, by):
        services.delete(obj, by=by)

    def check_delete(self, obj):
        services.check_deletable(obj)

    # --- plumbing
    @staticmethod
    def _data(form, obj) -> dict:
        names = form.changed_data if obj is not None else form.fields
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class CheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    try:
                        model_admin.validate(model_admin._data(self, obj), obj)
                    except InvalidInput as exc:
                        field = exc.field if exc.field in self.fields else None
                        self.add_error(field, exc.message)
                return cleaned

        return CheckedForm

    def save_model(self, request, obj, form, change):
        data = self._data(form, obj if change else None)
        if change:
            self.update(obj, data, request.user)
        else:
            saved = self.create(data, request.user)
            obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were set by the service; only inline formsets are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        self.delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj, request.user)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            try:
                self.check_delete(obj)
            except DomainError as exc:
                protected.append(exc.message)
        return deleted, counts, perms_needed, protected


class DependencyInline(admin.TabularInline):
    model = Dependency
    fk_name = "service"
    fields = ("depends_on_service", "depends_on_component", "group")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and request.user.can("view")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ("name", "status", "criticality", "owner", "calendar")
    list_filter = ("status", "criticality", "calendar")
    search_fields = ("name", "description")
    inlines = [DependencyInline]
    exclude = ("leadership",)  # kept through /api/v1/leadership (audited there)


@admin.register(Component)
class ComponentAdmin(AuditedAdmin):
    list_display = ("name", "kind", "supplier")
    list_filter = ("kind", "supplier")
    search_fields = ("name", "description")


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ("name", "calendar", "tz", "contact_email")
    list_filter = ("calendar",)
    search_fields = ("name", "description", "contact_email")
    filter_horizontal = ("contacts",)
    exclude = ("leadership",)  # kept through /api/v1/leadership (audited there)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "email", "calendar")
    list_filter = ("calendar",)
    search_fields = ("name", "description", "email")
    filter_horizontal = ("members",)


@admin.register(Supplier)
class SupplierAdmin(AuditedAdmin):
    list_display = ("name", "contact_email", "calendar")
    list_filter = ("calendar",)
    search_fields = ("name", "description", "contact_email")
    filter_horizontal = ("contacts",)
    exclude = ("leadership",)  # kept through /api/v1/leadership (audited there)


@admin.register(Calendar)
class CalendarAdmin(AuditedAdmin):
    permission = "change_calendar"
    list_display = ("name", "tz", "always_open", "country", "subdivision", "version")
    list_filter = ("always_open", "country", "tz")
    search_fields = ("name", "description")
    readonly_fields = ("version",)

    def validate(self, data, obj):
        calendars.validate(data, obj)

    def create(self, data, by):
        return calendars.create_calendar(by=by, **data)

    def update(self, obj, data, by):
        return calendars.update_calendar(obj, by=by, **data)

    def delete(self, obj, by):
        calendars.delete_calendar(obj, by=by)


@admin.register(Dependency)
class DependencyAdmin(AuditedAdmin):
    """Dependencies are added or removed, never edited in place."""

    list_display = ("service", "depends_on_service", "depends_on_component", "group")
    list_filter = ("service",)
    search_fields = ("service__name", "depends_on_service__name", "depends_on_component__name")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def validate(self, data, obj):
        target = data.get("depends_on_service") or data.get("depends_on_component")
        if data.get("depends_on_service") and data.get("depends_on_component"):
            raise InvalidInput("choose a service or a component, not both",
                               field="depends_on_component")
        if "service" not in data or target is None:
            raise InvalidInput("choose what the service depends on", field="depends_on_service")
        dependencies.check_dependency(data["service"], target, data.get("group"))

    def create(self, data, by):
        target = data.get("depends_on_service") or data.get("depends_on_component")
        return dependencies.add_dependency(data["service"], depends_on=target,
                                           group=data.get("group"), by=by)

    def delete(self, obj, by):
        dependencies.remove_dependency(obj, by=by)

    def check_delete(self, obj):
        dependencies.check_removal(obj)


@admin.register(RedundancyGroup)
class RedundancyGroupAdmin(AuditedAdmin):
    """Groups are created with their members through the API; here they are renamed,
    their ``min_up`` changed, or deleted."""

    list_display = ("name", "service", "min_up")
    list_filter = ("service",)
    search_fields = ("name", "service__name")
    fields = ("service", "name", "min_up")
    readonly_fields = ("service",)

    def has_add_permission(self, request):
        return False

    def validate(self, data, obj):
        dependencies.check_group_changes(obj, data)

    def update(self, obj, data, by):
        return dependencies.update_group(obj, by=by, **data)

    def delete(self, obj, by):
        dependencies.delete_group(obj, by=by)
