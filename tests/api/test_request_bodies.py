# ruff: noqa: E501  (the table of answers reads best one case a line)
"""The 400s of the import, merge and event bodies, pinned answer by answer.

Each bad body (missing keys, wrong types, too many records, unknown options, null, not an object) gets
exactly this status and this body: names as keys, the messages and their codes. The bodies are read by a
DRF serializer beside each view; these answers are what that reading must keep.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from systems.models import Event
from tests.api.conftest import token_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SURVIVOR, OTHER, UNKNOWN = "111111111", "222222222", "333333334"  # valid UCRNs (Damm check digit)
IMPORT = "/api/v1/profiles/import"
MERGE = f"/api/v1/profiles/{SURVIVOR}/merge"
EVENTS = "/api/v1/events/"


def err(message: str, code: str) -> list[dict[str, str]]:
    return [{"message": message, "code": code}]


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"n": value}
    return value


IMPORT_CASES: list[tuple[str, Any, int, Any]] = []
MERGE_CASES: list[tuple[str, Any, int, Any]] = []
EVENT_CASES: list[tuple[str, Any, int, Any]] = []
IMPORT_CASES += [
    ('null', None, 400, {'non_field_errors': [{'message': 'Send an object with matching and records.', 'code': 'invalid'}]}),
    ('list', [], 400, {'non_field_errors': [{'message': 'Send an object with matching and records.', 'code': 'invalid'}]}),
    ('text', 'records', 400, {'non_field_errors': [{'message': 'Send an object with matching and records.', 'code': 'invalid'}]}),
    ('number', 5, 400, {'non_field_errors': [{'message': 'Send an object with matching and records.', 'code': 'invalid'}]}),
    ('true', True, 400, {'non_field_errors': [{'message': 'Send an object with matching and records.', 'code': 'invalid'}]}),
    ('empty_object', {}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('records_null', {'records': None}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('records_text', {'records': 'x'}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('records_object', {'records': {}}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('records_number', {'records': 3}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('options_list', {'records': [], 'options': []}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('options_text', {'records': [], 'options': 'x'}, 400, {'options': [{'message': 'Send an object of options.', 'code': 'invalid'}]}),
    ('options_null', {'records': [], 'options': None}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('options_false', {'records': [], 'options': False}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('matching_unknown', {'records': [], 'matching': 'name'}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('matching_number', {'records': [], 'matching': 5}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('matching_list', {'records': [], 'matching': ['ucrn']}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('matching_object', {'records': [], 'matching': {'a': 1}}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('matching_null', {'records': [], 'matching': None}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('matching_empty', {'records': [], 'matching': ''}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('custom_without_field_name', {'records': [], 'matching': 'custom'}, 400, {'field_name': [{'message': 'Name one of custom_1 .. custom_28.', 'code': 'invalid_choice'}]}),
    ('custom_bad_field_name', {'records': [], 'matching': 'custom', 'field_name': 'custom_99'}, 400, {'field_name': [{'message': 'Name one of custom_1 .. custom_28.', 'code': 'invalid_choice'}]}),
    ('custom_field_name_number', {'records': [], 'matching': 'custom', 'field_name': 3}, 400, {'field_name': [{'message': 'Name one of custom_1 .. custom_28.', 'code': 'invalid_choice'}]}),
    ('custom_good', {'records': [], 'matching': 'custom', 'field_name': 'custom_3'}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('field_name_without_custom', {'records': [], 'field_name': 'nonsense'}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('too_many_records', {'records': [{}] * 1001}, 400, {'records': [{'message': 'Send at most 1000 records.', 'code': 'max_length'}]}),
    ('records_of_numbers', {'records': [5, 5]}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 2},
 'results': [{'index': 0,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}},
             {'index': 1,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}}]}),
    ('too_many_and_bad_matching', {'records': [{}] * 1001, 'matching': 'bad'}, 400, {'matching': [{'message': 'Choose one of ucrn, email_address, phone_number, custom.',
               'code': 'invalid_choice'}]}),
    ('missing_records_and_bad_matching', {'matching': 'bad'}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('records_text_and_options_text', {'records': 'x', 'options': 'y'}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('options_text_and_bad_matching', {'records': [], 'options': 'y', 'matching': 'bad'}, 400, {'options': [{'message': 'Send an object of options.', 'code': 'invalid'}]}),
    ('unknown_top_level_key', {'records': [], 'colour': 'red'}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
    ('records_not_objects', {'records': [1, 'x', None, []]}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 4},
 'results': [{'index': 0,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}},
             {'index': 1,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}},
             {'index': 2,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}},
             {'index': 3,
              'status': 'error',
              'ucrn': None,
              'errors': {'non_field_errors': [{'message': 'Each record is an object of data names.',
                                               'code': 'invalid'}]}}]}),
    ('record_bad_email', {'records': [{'email_address': 'not-an-email'}]}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 1},
 'results': [{'index': 0,
              'status': 'error',
              'ucrn': None,
              'errors': {'email_address': [{'message': 'Enter an email address such as '
                                                       'name@example.com.',
                                            'code': 'invalid'}],
                         'contact_type': [{'message': 'Give the contact type: it is required.',
                                           'code': 'required'}],
                         'preferred_contact_method': [{'message': 'Give the preferred contact '
                                                                  'method: it is required.',
                                                       'code': 'required'}]}}]}),
    ('record_unknown_name', {'records': [{'email_address': 'new@example.org', 'colour': 'red'}]}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 1},
 'results': [{'index': 0,
              'status': 'error',
              'ucrn': None,
              'errors': {'colour': [{'message': 'colour is not a data name of the customer '
                                                'profile.',
                                     'code': 'unknown_field'}],
                         'contact_type': [{'message': 'Give the contact type: it is required.',
                                           'code': 'required'}],
                         'preferred_contact_method': [{'message': 'Give the preferred contact '
                                                                  'method: it is required.',
                                                       'code': 'required'}]}}]}),
    ('unknown_option', {'records': [{'email_address': 'new2@example.org', 'first_name': 'A', 'last_name': 'B', 'contact_type': 1}], 'options': {'colour': 1}}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 1},
 'results': [{'index': 0,
              'status': 'error',
              'ucrn': None,
              'errors': {'colour': [{'message': 'colour is not a data name of the customer '
                                                'profile.',
                                     'code': 'unknown_field'}],
                         'contact_type': [{'message': 'Enter text.', 'code': 'invalid'}],
                         'preferred_contact_method': [{'message': 'Give the preferred contact '
                                                                  'method: it is required.',
                                                       'code': 'required'}]}}]}),
    ('empty_records', {'records': []}, 200, {'counts': {'created': 0, 'updated': 0, 'unchanged': 0, 'error': 0}, 'results': []}),
]
MERGE_CASES += [
    ('null', None, 400, {'non_field_errors': [{'message': 'Send an object: {"merge": "<UCRN>", "choices": {...}}.',
                       'code': 'invalid'}]}),
    ('list', [], 400, {'non_field_errors': [{'message': 'Send an object: {"merge": "<UCRN>", "choices": {...}}.',
                       'code': 'invalid'}]}),
    ('text', 'x', 400, {'non_field_errors': [{'message': 'Send an object: {"merge": "<UCRN>", "choices": {...}}.',
                       'code': 'invalid'}]}),
    ('number', 5, 400, {'non_field_errors': [{'message': 'Send an object: {"merge": "<UCRN>", "choices": {...}}.',
                       'code': 'invalid'}]}),
    ('empty_object', {}, 400, {'merge': [{'message': 'Give the UCRN of the customer to merge.', 'code': 'required'}]}),
    ('merge_null', {'merge': None}, 400, {'merge': [{'message': 'Give the UCRN of the customer to merge.', 'code': 'required'}]}),
    ('merge_empty', {'merge': ''}, 400, {'merge': [{'message': 'Give the UCRN of the customer to merge.', 'code': 'required'}]}),
    ('merge_number', {'merge': 5}, 400, {'merge': [{'message': '5 is not a valid UCRN.', 'code': 'invalid'}]}),
    ('merge_list', {'merge': [OTHER]}, 400, {'merge': [{'message': "['222222222'] is not a valid UCRN.", 'code': 'invalid'}]}),
    ('merge_bad_ucrn', {'merge': 'abc'}, 400, {'merge': [{'message': 'abc is not a valid UCRN.', 'code': 'invalid'}]}),
    ('merge_unknown', {'merge': UNKNOWN}, 400, {'merge': [{'message': 'No customer has the UCRN 333333334.', 'code': 'not_found'}]}),
    ('merge_self', {'merge': SURVIVOR}, 400, {'merge': [{'message': 'A customer cannot be merged into itself.', 'code': 'merge_self'}]}),
    ('unknown_key', {'extra': 1}, 400, {'extra': [{'message': 'extra is not a name of a merge: send merge and choices.',
            'code': 'unknown_field'}]}),
    ('unknown_keys_and_merge', {'merge': OTHER, 'extra': 1, 'Merge': 2}, 400, {'extra': [{'message': 'extra is not a name of a merge: send merge and choices.',
            'code': 'unknown_field'}],
 'Merge': [{'message': 'Merge is not a name of a merge: send merge and choices.',
            'code': 'unknown_field'}]}),
    ('choices_list', {'merge': OTHER, 'choices': []}, 400, {'choices': [{'message': 'Send the choices as an object: {"first_name": "merged", ...}.',
              'code': 'invalid'}]}),
    ('choices_text', {'merge': OTHER, 'choices': 'x'}, 400, {'choices': [{'message': 'Send the choices as an object: {"first_name": "merged", ...}.',
              'code': 'invalid'}]}),
    ('choices_bad_value', {'merge': OTHER, 'choices': {'first_name': 'both'}}, 400, {'first_name': [{'message': 'Choose "survivor" or "merged".', 'code': 'invalid_choice'}]}),
    ('choices_unknown_name', {'merge': OTHER, 'choices': {'colour': 'merged'}}, 400, {'colour': [{'message': 'colour is not a data name of the customer profile.',
             'code': 'unknown_field'}]}),
    ('choices_read_only', {'merge': OTHER, 'choices': {'ucrn': 'merged'}}, 400, {'ucrn': [{'message': 'ucrn is read-only: it cannot be chosen.', 'code': 'read_only'}]}),
    ('choices_address_part', {'merge': OTHER, 'choices': {'street': 'merged'}}, 400, {'street': [{'message': 'street: addresses are chosen whole, with "address".',
             'code': 'unknown_field'}]}),
    ('choices_twice', {'merge': OTHER, 'choices': {'first_name': 'merged', 'FIRST_NAME': 'survivor'}}, 400, {'first_name': [{'message': 'FIRST_NAME is given twice.', 'code': 'duplicate_field'}]}),
    ('choices_bad_and_merge_missing', {'choices': 'x'}, 400, {'choices': [{'message': 'Send the choices as an object: {"first_name": "merged", ...}.',
              'code': 'invalid'}]}),
    ('choices_and_merge_bad', {'merge': 'abc', 'choices': {'colour': 'merged'}}, 400, {'colour': [{'message': 'colour is not a data name of the customer profile.',
             'code': 'unknown_field'}]}),
    ('choices_null_is_fine', {'merge': OTHER, 'choices': None}, 201, None),
]
EVENT_CASES += [
    ('null', None, 400, {'non_field_errors': [{'message': 'Send an object with type, ucrn or matching, and properties.',
                       'code': 'invalid'}]}),
    ('list', [], 400, {'non_field_errors': [{'message': 'Send an object with type, ucrn or matching, and properties.',
                       'code': 'invalid'}]}),
    ('text', 'x', 400, {'non_field_errors': [{'message': 'Send an object with type, ucrn or matching, and properties.',
                       'code': 'invalid'}]}),
    ('number', 5, 400, {'non_field_errors': [{'message': 'Send an object with type, ucrn or matching, and properties.',
                       'code': 'invalid'}]}),
    ('empty_object', {}, 400, {'type': [{'message': "Give the event's type.", 'code': 'required'}],
 'ucrn': [{'message': 'Give either ucrn or matching.', 'code': 'required'}]}),
    ('type_only', {'type': 't'}, 400, {'ucrn': [{'message': 'Give either ucrn or matching.', 'code': 'required'}]}),
    ('type_empty', {'type': ' ', 'ucrn': SURVIVOR}, 400, {'type': [{'message': "Give the event's type.", 'code': 'required'}]}),
    ('type_number', {'type': 5, 'ucrn': SURVIVOR}, 400, {'type': [{'message': "Give the event's type.", 'code': 'required'}]}),
    ('type_null', {'type': None, 'ucrn': SURVIVOR}, 400, {'type': [{'message': "Give the event's type.", 'code': 'required'}]}),
    ('type_too_long', {'type': 'x' * 101, 'ucrn': SURVIVOR}, 400, {'type': [{'message': 'At most 100 characters.', 'code': 'max_length'}]}),
    ('ucrn_number', {'type': 't', 'ucrn': 5}, 400, {'ucrn': [{'message': 'Give the UCRN as text.', 'code': 'invalid'}]}),
    ('ucrn_null', {'type': 't', 'ucrn': None}, 400, {'ucrn': [{'message': 'Give the UCRN as text.', 'code': 'invalid'}]}),
    ('ucrn_and_matching', {'type': 't', 'ucrn': SURVIVOR, 'matching': {'email_address': 'a@b.c'}}, 400, {'ucrn': [{'message': 'Give either ucrn or matching.', 'code': 'required'}]}),
    ('matching_text', {'type': 't', 'matching': 'x'}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('matching_unknown_key', {'type': 't', 'matching': {'a': 1}}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('matching_two_keys', {'type': 't', 'matching': {'ucrn': SURVIVOR, 'email_address': 'a@b.c'}}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('matching_value_list', {'type': 't', 'matching': {'email_address': [1]}}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('matching_value_bool', {'type': 't', 'matching': {'email_address': True}}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('matching_null', {'type': 't', 'matching': None}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 '
                          'with its value, such as {"email_address": "jane@example.org"}.',
               'code': 'invalid'}]}),
    ('properties_list', {'type': 't', 'ucrn': SURVIVOR, 'properties': []}, 400, {'properties': [{'message': 'Give an object of properties.', 'code': 'invalid'}]}),
    ('properties_null', {'type': 't', 'ucrn': SURVIVOR, 'properties': None}, 400, {'properties': [{'message': 'Give an object of properties.', 'code': 'invalid'}]}),
    ('properties_text', {'type': 't', 'ucrn': SURVIVOR, 'properties': 'x'}, 400, {'properties': [{'message': 'Give an object of properties.', 'code': 'invalid'}]}),
    ('unknown_key', {'type': 't', 'ucrn': SURVIVOR, 'extra': 1}, 400, {'extra': [{'message': 'extra is not part of an event.', 'code': 'unknown_field'}]}),
    ('unknown_keys_only', {'extra': 1, 'other': 2}, 400, {'extra': [{'message': 'extra is not part of an event.', 'code': 'unknown_field'}],
 'other': [{'message': 'other is not part of an event.', 'code': 'unknown_field'}],
 'type': [{'message': "Give the event's type.", 'code': 'required'}],
 'ucrn': [{'message': 'Give either ucrn or matching.', 'code': 'required'}]}),
    ('key_with_nul', {'type': 't', 'ucrn': SURVIVOR, 'a\x00': 1}, 400, {'a\x00': [{'message': 'Text may not hold NUL characters or lone surrogates (such as \\ud800).',
            'code': 'invalid_text'}]}),
    ('properties_too_deep', {'type': 't', 'ucrn': SURVIVOR, 'properties': nested(11)}, 400, {'properties': [{'message': 'Nest objects and lists at most 10 deep.', 'code': 'too_deep'}]}),
    ('properties_too_large', {'type': 't', 'ucrn': SURVIVOR, 'properties': {'n': 'x' * 65536}}, 400, {'properties': [{'message': 'At most 64 KB (this is 65 KB).', 'code': 'too_large'}]}),
    ('type_too_deep', {'type': nested(11), 'ucrn': SURVIVOR}, 400, {'type': [{'message': "Give the event's type.", 'code': 'required'}]}),
    ('properties_lone_surrogate', {'type': 't', 'ucrn': SURVIVOR, 'properties': {'n': '\ud800'}}, 400, {'properties': [{'message': 'Text may not hold NUL characters or lone surrogates (such as '
                            '\\ud800).',
                 'code': 'invalid_text'}]}),
    ('everything_wrong', {'type': '', 'ucrn': 5, 'properties': [], 'extra': nested(11)}, 400, {'extra': [{'message': 'extra is not part of an event.', 'code': 'unknown_field'}],
 'type': [{'message': "Give the event's type.", 'code': 'required'}],
 'properties': [{'message': 'Give an object of properties.', 'code': 'invalid'}],
 'ucrn': [{'message': 'Give the UCRN as text.', 'code': 'invalid'}]}),
    ('ucrn_unknown', {'type': 't', 'ucrn': UNKNOWN}, 404, {'detail': [{'message': 'No customer has this UCRN.', 'code': 'not_found'}]}),
    ('matching_unknown_customer', {'type': 't', 'matching': {'email_address': 'nobody@example.org'}}, 404, {'detail': [{'message': 'No customer has this email_address.', 'code': 'not_found'}]}),
    ('matching_ucrn_bad', {'type': 't', 'matching': {'ucrn': 'abc'}}, 404, {'detail': [{'message': 'No customer has this ucrn.', 'code': 'not_found'}]}),
    ('matching_custom', {'type': 't', 'matching': {'custom_3': ''}}, 400, {'matching': [{'message': 'Give a value for custom_3.', 'code': 'required'}]}),
    ('no_rule_matches', {'type': 't', 'ucrn': SURVIVOR, 'properties': {}}, 201, None),
]


# Bodies wrong in more than one way: which refusal comes first, or whether they come together.
IMPORT_CASES += [
    ('options_zero', {"records": [], "options": 0}, 200, None),
    ('records_null_options_text_matching_bad', {"records": None, "options": "x", "matching": "bad"}, 400, {'records': [{'message': 'Send a list of records.', 'code': 'invalid'}]}),
    ('custom_bad_field_name_and_too_many', {"records": [{}] * 1001, "matching": "custom"}, 400, {'field_name': [{'message': 'Name one of custom_1 .. custom_28.', 'code': 'invalid_choice'}]}),
]
MERGE_CASES += [
    ('unknown_and_bad_choices', {"extra": 1, "choices": "x"}, 400, {'extra': [{'message': 'extra is not a name of a merge: send merge and choices.', 'code': 'unknown_field'}]}),
    ('null_merge_bad_choice_value', {"merge": None, "choices": {"first_name": "x"}}, 400, {'first_name': [{'message': 'Choose "survivor" or "merged".', 'code': 'invalid_choice'}]}),
    ('merge_with_nul', {"merge": "1\u0000"}, 400, {'merge': [{'message': 'Text may not hold NUL characters or lone surrogates (such as \\ud800).', 'code': 'invalid_text'}]}),
]
EVENT_CASES += [
    ('type_with_nul', {"type": "a\u0000", "ucrn": SURVIVOR}, 400, {'type': [{'message': 'Text may not hold NUL characters or lone surrogates (such as \\ud800).', 'code': 'invalid_text'}]}),
    ('type_lone_surrogate_too_long', {"type": "\ud800" * 101, "ucrn": SURVIVOR}, 400, {'type': [{'message': 'Text may not hold NUL characters or lone surrogates (such as \\ud800).', 'code': 'invalid_text'}]}),
    ('ucrn_and_matching_too_deep', {"type": "t", "ucrn": SURVIVOR, "matching": nested(11)}, 400, {'matching': [{'message': 'Nest objects and lists at most 10 deep.', 'code': 'too_deep'}], 'ucrn': [{'message': 'Give either ucrn or matching.', 'code': 'required'}]}),
    ('ucrn_too_deep_alone', {"type": "t", "ucrn": nested(11)}, 400, {'ucrn': [{'message': 'Give the UCRN as text.', 'code': 'invalid'}]}),
    ('matching_too_deep_alone', {"type": "t", "matching": nested(11)}, 400, {'matching': [{'message': 'Give one of ucrn, email_address, phone_number or custom_1..custom_28 with its value, such as {"email_address": "jane@example.org"}.', 'code': 'invalid'}]}),
    ('unknown_and_properties_too_deep', {"type": "", "ucrn": SURVIVOR, "properties": nested(11), "x": 1}, 400, {'properties': [{'message': 'Nest objects and lists at most 10 deep.', 'code': 'too_deep'}], 'x': [{'message': 'x is not part of an event.', 'code': 'unknown_field'}], 'type': [{'message': "Give the event's type.", 'code': 'required'}]}),
    ('ucrn_with_nul', {"type": "t", "ucrn": "1\u0000"}, 400, {'ucrn': [{'message': 'Text may not hold NUL characters or lone surrogates (such as \\ud800).', 'code': 'invalid_text'}]}),
    ('type_spaces_kept', {"type": "  t  ", "ucrn": SURVIVOR, "properties": {}}, 201, None),
]


def post(api, path: str, body: Any):
    return api.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def api(csa):
    CustomerFactory(ucrn=SURVIVOR, email_address="survivor@example.org")
    CustomerFactory(ucrn=OTHER, email_address="other@example.org")
    return token_client(csa)


BODY_CASES = [(path, *case) for path, cases in ((IMPORT, IMPORT_CASES), (MERGE, MERGE_CASES), (EVENTS, EVENT_CASES))
              for case in cases]


@pytest.mark.parametrize(("path", "name", "body", "status", "expected"), BODY_CASES,
                         ids=[f"{path.strip('/').split('/')[-1]}-{name}" for path, name, *_ in BODY_CASES])
def test_request_body(api, path, name, body, status, expected):
    """Each door's pinned answer to each body: the import's, the merge's and the events'."""
    response = post(api, path, body)
    assert response.status_code == status
    if expected is not None:
        assert response.json() == expected


def test_an_event_is_stored_as_it_came(api):
    """The serializer reads the body; the event keeps the body itself as its payload, the type trimmed."""
    body = {"type": "  visit  ", "ucrn": SURVIVOR, "properties": {"page": "/bins"}}
    assert post(api, EVENTS, body).status_code == 201
    event = Event.objects.get()
    assert (event.type, event.payload) == ("visit", body)


def test_the_schema_describes_each_body_by_its_serializer(api):
    """The request serializers are the schema's bodies, under the names clients are generated with."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    bodies = schema["components"]["schemas"]
    operations = {"ImportInput": (IMPORT, "post"), "MergeInput": ("/api/v1/profiles/{ucrn}/merge", "post"),
                  "EventInput": ("/api/v1/events", "post")}
    for name, (path, method) in operations.items():
        request = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert request == {"$ref": f"#/components/schemas/{name}"}
    assert bodies["ImportInput"]["required"] == ["records"]
    assert bodies["ImportInput"]["properties"]["records"]["maxItems"] == 1000
    assert bodies["MergeInput"]["required"] == ["merge"] and bodies["MergeInput"]["additionalProperties"] is False
    assert bodies["EventInput"]["required"] == ["type"] and bodies["EventInput"]["additionalProperties"] is False
    assert bodies["EventInput"]["properties"]["type"]["maxLength"] == 100
