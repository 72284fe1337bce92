"""The form builder: forms with their fields, integrations with their mappings, and cases.

Django's admin cannot nest inlines, so a form's page holds its fields and a list of its integrations, and
each integration's page holds its mappings. Both refuse the configurations of SPEC section 5 through
`integrations.checks`, the one place those refusals are written.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from integrations import checks
from integrations.forms import RunnerForm
from integrations.models import Case, Form, FormField, Integration, Mapping
from integrations.tokens import tokens_in


class FormFieldFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """Refuse repeated data names, and removing a field that an integration's tokens still use."""
        super().clean()
        kept = [
            f.cleaned_data["data_name"].lower()
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("data_name")
        ]
        if len(kept) != len(set(kept)):
            raise ValidationError("Each field of a form needs its own data name.")
        if self.instance.pk is None:
            return
        integrations = list(self.instance.integrations.prefetch_related("mappings"))
        templates = [t for integration in integrations for t in checks.integration_templates(integration)]
        used = {token for template in templates for token in tokens_in(template)}
        if missing := sorted(used - set(kept)):
            raise ValidationError(
                f"The form's integrations use {', '.join('{' + m + '}' for m in missing)}: "
                "change those mappings before removing the fields."
            )
        rows = [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("data_name")]
        sent = sorted(row["data_name"] for row in rows if row.get("display_only") and row["data_name"].lower() in used)
        if sent:
            raise ValidationError(
                f"An integration sends {', '.join('{' + n + '}' for n in sent)}: a display only field is never sent. "
                "Change those mappings first, or leave the fields as sent."
            )
        unsent = checks.unsent_names(
            fields={row["data_name"]: row.get("display_only", False) for row in rows}, templates=templates,
            writes=any(i.kind in checks.WRITING_KINDS for i in integrations),
        )
        if unsent:
            raise ValidationError(checks.unsent_message(unsent, {row["data_name"]: row["label"] for row in rows}))


class FormFieldInline(admin.TabularInline):
    model = FormField
    formset = FormFieldFormSet
    extra = 0
    fields = ["sort_order", "data_name", "label", "type", "required", "display_only", "hub_list", "options",
              "help_text"]


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "audience", "allow_anonymous"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormFieldInline]
    readonly_fields = ["integration_links", "preview_link"]
    fields = ["name", "slug", "description", "audience", "allow_anonymous", "integration_links", "preview_link"]

    def get_urls(self):
        preview = path("<int:pk>/preview/", self.admin_site.admin_view(self.preview), name="integrations_form_preview")
        return [preview, *super().get_urls()]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The form as a CSA will see it, with nothing to submit."""
        form = get_object_or_404(Form, pk=pk)
        if not self.has_view_permission(request, form):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": form,
                   "title": f"Preview: {form.name}", "runner_form": RunnerForm(form)}
        return TemplateResponse(request, "admin/integrations/form/preview.html", context)

    @admin.display(description="Preview")
    def preview_link(self, obj: Form) -> str:
        if obj.pk is None:
            return "Save the form first."
        url = reverse("admin:integrations_form_preview", args=[obj.pk])
        return format_html('<a href="{}">See the form as a CSA will</a>', url)

    @admin.display(description="Integrations")
    def integration_links(self, obj: Form) -> str:
        if obj.pk is None:
            return "Save the form first, then add integrations."
        links = format_html_join(
            "", '<li><a href="{}">{}</a></li>',
            ((reverse("admin:integrations_integration_change", args=[i.pk]), str(i)) for i in obj.integrations.all()),
        )
        add = reverse("admin:integrations_integration_add") + f"?form={obj.pk}"
        return format_html('<ul>{}</ul><a href="{}">Add an integration</a>', links, add)


class MappingFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        form_obj = self.instance.form if self.instance.form_id else None
        kind = self.instance.kind  # the admin hands the formset the integration as its form just cleaned it
        if form_obj is None or not kind:
            return
        rows = {}
        for row in self.forms:
            data = row.cleaned_data
            if data and not data.get("DELETE") and data.get("field_name"):
                rows[data["field_name"]] = (row, data.get("template", ""))
        errors = checks.mapping_errors(
            kind=kind,
            mappings={name: template for name, (_, template) in rows.items()},
            form_fields=form_obj.fields.values_list("data_name", flat=True),
            display_only=form_obj.fields.filter(display_only=True).values_list("data_name", flat=True),
        )
        for name, messages in errors.items():
            if name in rows:
                for message in messages:
                    rows[name][0].add_error(None, message)
        if "__all__" in errors:
            raise ValidationError(errors["__all__"])
        self._check_every_field_is_sent(form_obj, kind, [template for _, template in rows.values()])

    def _check_every_field_is_sent(self, form_obj: Form, kind: str, templates: list[str]) -> None:
        """With this integration saved as posted, every field of the form must be sent by one, or be display only."""
        others = [i for i in form_obj.integrations.prefetch_related("mappings") if i.pk != self.instance.pk]
        templates = [*templates, self.instance.update_primary_address or "", self.instance.address_is_primary or "",
                     *(t for other in others for t in checks.integration_templates(other))]
        fields = list(form_obj.fields.all())
        unsent = checks.unsent_names(
            fields={f.data_name: f.display_only for f in fields}, templates=templates,
            writes=kind in checks.WRITING_KINDS or any(i.kind in checks.WRITING_KINDS for i in others),
        )
        if unsent:
            raise ValidationError(checks.unsent_message(unsent, {f.data_name: f.label for f in fields}))


class MappingInline(admin.TabularInline):
    model = Mapping
    formset = MappingFormSet
    extra = 3


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = "__all__"

    def clean(self) -> dict:
        data = super().clean()
        form_obj = data.get("form")
        if form_obj is not None:
            fields = list(form_obj.fields.values_list("data_name", flat=True))
            shown_only = list(form_obj.fields.filter(display_only=True).values_list("data_name", flat=True))
            for option in ("update_primary_address", "address_is_primary"):
                for message in checks.option_errors(option=option, template=data.get(option, ""), form_fields=fields,
                                                    display_only=shown_only):
                    self.add_error(option, message)
        return data


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = ["__str__", "form", "kind", "when"]
    list_filter = ["kind", "when", "form"]
    inlines = [MappingInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "form", "customer", "status", "submitted_by", "created_at"]
    list_filter = ["status", "form"]
    search_fields = ["reference", "customer__ucrn"]
    readonly_fields = ["reference", "form", "data", "submitted_by", "status", "results", "created_at", "updated_at"]
    raw_id_fields = ["customer"]

    def has_add_permission(self, request) -> bool:
        return False  # cases are raised by submitting forms
