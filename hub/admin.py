"""Users in the admin: Django's UserAdmin, with each user's hub role (SPEC section 7) in the list."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.roles import GROUP_ROLES, Role

User = get_user_model()


class HubUserAdmin(UserAdmin):
    list_display = ["username", "role", "email", "is_active", "last_login"]
    list_filter = ["is_superuser", "groups", "is_active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Role")
    def role(self, user) -> str:
        if user.is_superuser:
            return Role.ADMIN.value
        names = {g.name for g in user.groups.all()}  # prefetched: no query per row
        return ", ".join(r.value for r in GROUP_ROLES if r.value in names) or "-"


admin.site.unregister(User)
admin.site.register(User, HubUserAdmin)
