"""Sign-in lockouts (django-axes) in the admin: administrators see failed sign-ins and clear
lockouts; nobody else sees them."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from .choices import AuditAction
from .services import record_change, snapshot


class _AdministratorsOnly:
    """Only administrators (``manage_users``) see sign-in records; they may delete an attempt
    (which clears its lockout), never edit one."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.can(
            "manage_users")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    # Clearing a lockout is a change like any other: audited.
    def delete_model(self, request, obj):
        record_change(request.user, obj, AuditAction.DELETE, before=snapshot(obj),
                      message="sign-in record cleared via admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_change(request.user, obj, AuditAction.DELETE, before=snapshot(obj),
                          message="sign-in record cleared via admin")
        super().delete_queryset(request, queryset)


for model, base in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin),
                    (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (_AdministratorsOnly, base), {}))
