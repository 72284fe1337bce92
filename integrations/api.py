"""`/api/v1/forms/`: configured forms for other systems, submitted exactly as the browser submits them.

A submission is bound to the same `RunnerForm` and run by the same `integrations.runner.submit` as the
form page, so the same values give the same case, the same changes and the same errors.
"""
from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api_urls import location, location_header
from core.idempotency import idempotent
from integrations.forms import RunnerForm
from integrations.models import Form
from integrations.runner import NON_FIELD, may_fill, may_use_forms, submit
from profiles import display
from profiles.api.views import errors
from profiles.models import Channel
from profiles.selectors import list_items

# The URL's slug converter's pattern: any other text is not one of these URLs (Django's HTML 404).
SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The form's slug.",
                        pattern=r"^[-a-zA-Z0-9_]+$")
SCALARS = (str, int, float, bool)


class FormSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    audience = serializers.CharField()
    allow_anonymous = serializers.BooleanField()


class OptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class FieldSerializer(serializers.Serializer):
    data_name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    display_only = serializers.BooleanField(help_text="Shown for reference; no integration sends it.")
    help_text = serializers.CharField()
    options = OptionSerializer(many=True)


class IntegrationSummarySerializer(serializers.Serializer):
    kind = serializers.CharField()
    when = serializers.CharField()


class FormDetailSerializer(FormSummarySerializer):
    fields = FieldSerializer(many=True)
    integrations = IntegrationSummarySerializer(many=True)


class SubmissionOutputSerializer(serializers.Serializer):
    case = serializers.CharField(help_text="The case's reference.")
    status = serializers.CharField()
    customer = serializers.CharField(allow_null=True, help_text="The UCRN the case concerns, if any.")
    outcomes = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per integration run: `kind`, `ucrn`, `created`, `warnings` and `changes`. Each change keeps "
                  "its data (`field`, a data name; `before`, `after`) and adds it in words for people: `label`, "
                  "`before_text`, `after_text` and the whole `text`.",
    )


class UsesForms(permissions.BasePermission):
    """Only roles that fill forms (`may_use_forms`): anyone else is refused before a form is read."""

    message = "Your account may not use forms."

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_use_forms(request.user)


# The project's defaults (signed in; API clients only on views that apply their allow-lists, which these do
# not), then the roles that fill forms.
PERMISSIONS = [*api_settings.DEFAULT_PERMISSION_CLASSES, UsesForms]


def _summary(form: Form) -> dict[str, Any]:
    return {"slug": form.slug, "name": form.name, "description": form.description, "audience": form.audience,
            "allow_anonymous": form.allow_anonymous}


def _options(field) -> list[dict[str, str]]:
    if field.hub_list:
        return [{"value": str(item["id"]), "label": item["name"]} for item in list_items(field.hub_list)]
    return [{"value": value, "label": label} for value, label in field.typed_options()]


def _form_for(request: Request, slug: str) -> Form:
    form = get_object_or_404(Form.objects.prefetch_related("fields", "integrations__mappings"), slug=slug)
    if not may_fill(form, request.user):
        raise PermissionDenied("This form is not for your role.")
    return form


class FormListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(operation_id="forms_list", tags=["forms"], summary="Forms you may fill",
    description="The forms the caller's role may fill (CSAs: CSA forms; citizens: citizen forms).",
    responses={200: FormSummarySerializer(many=True), **errors(403)})
    def get(self, request: Request) -> Response:
        return Response([_summary(f) for f in Form.objects.all() if may_fill(f, request.user)])


class FormDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="forms_get", tags=["forms"], summary="A form's fields",
        description="A form's fields (data name, label, type, options) and its integrations, so a system can submit "
                    "it.",
        parameters=[SLUG], responses={200: FormDetailSerializer, **errors(403, 404)}
    )
    def get(self, request: Request, slug: str) -> Response:
        form = _form_for(request, slug)
        fields = [
            {"data_name": f.data_name, "label": f.label, "type": f.type, "required": f.required,
             "display_only": f.display_only, "help_text": f.help_text, "options": _options(f)}
            for f in form.fields.all()
        ]
        integrations = [{"kind": i.kind, "when": i.when} for i in form.integrations.all()]
        return Response({**_summary(form), "fields": fields, "integrations": integrations})


class SubmissionView(APIView):
    permission_classes = PERMISSIONS

    @idempotent
    @extend_schema(
        operation_id="forms_submit", tags=["forms"], summary="Submit a form",
        description="The form's values by field data name, run exactly as the browser's submit: its Create or Update "
                    "integrations run, and a case is raised. A field not named in the body is not touched (SPEC 5). "
                    "201 with the case and what each integration did.",
        parameters=[SLUG, location_header("The case the submission raised: its page, `/hub/cases/{reference}/`.")],
        request={"application/json": {"type": "object", "additionalProperties": True,
                                      "description": "The form's values by field data name."}},
        responses={201: SubmissionOutputSerializer, **errors(400, 403, 404, 413, 415)},
    )
    def post(self, request: Request, slug: str) -> Response:
        form = _form_for(request, slug)
        runner_form = RunnerForm(form, _as_form_data(form, request.data))
        if not runner_form.is_valid():
            raise ValidationError({name: list(messages) for name, messages in runner_form.errors.items()})
        # The fields named in the body are the ones given: an absent one is not touched (SPEC 4.2).
        submission = submit(form=form, values=runner_form.values(), user=request.user, channel=Channel.API,
                            given=[str(key) for key in request.data])
        if not submission.ok:
            raise ValidationError(
                {("non_field_errors" if k == NON_FIELD else k): [ErrorDetail(m, code=getattr(m, "code", "invalid"))
                                                                for m in v]
                 for k, v in submission.errors.items()}
            )
        case = submission.case
        return Response(
            {"case": case.reference, "status": case.status, "customer": case.customer.ucrn if case.customer else None,
             "outcomes": display.outcome_words(case.results, display.reference_labels(), form.fields.all())},
            status=status.HTTP_201_CREATED,
            headers=location(request, "integrations:case_detail", case.reference),
        )


def _as_form_data(form: Form, data: Any) -> MultiValueDict:
    """JSON values by data name as the browser would post them; anything else is a 400 naming it."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Send an object of the form's values by data name."]})
    names = {f.data_name.lower(): f.data_name for f in form.fields.all()}
    problems: dict[str, list[str]] = {}
    posted = MultiValueDict()
    for key, value in data.items():
        name = names.get(str(key).lower())
        items = value if isinstance(value, list) else [value]
        if name is None:
            problems[str(key)] = [f"The form has no field {key}."]
        elif not all(item is None or isinstance(item, SCALARS) for item in items):
            problems[name] = ["Give text, a number, true/false, or a list of those."]
        else:
            posted.setlist(name, ["" if item is None else item for item in items])
    if problems:
        raise ValidationError(problems)
    return posted
