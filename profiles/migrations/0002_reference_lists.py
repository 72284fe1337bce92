"""Install the reference lists, so that a fresh database has them (SPEC section 1)."""
import pycountry
from django.db import migrations

TITLES = ["Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Rev", "Sir", "Dame", "Lord", "Lady", "Cllr", "Capt"]
SUFFIXES = ["Jr", "Sr", "II", "III", "IV", "V", "OBE", "MBE", "CBE"]
LOCATIONS = ["In council area", "Out of council", "Unknown", "No fixed abode", "Overseas"]
CONTACT_METHODS = ["Phone", "Mobile", "Email", "Post"]
CONTACT_TYPES = ["Individual", "Organization"]
STATUSES = ["Active", "Inactive", "Deceased", "Merged"]
UK = 826


def numbered(model, names):
    return [model(id=n, name=name, sort_order=n) for n, name in enumerate(names, start=1)]


def install(apps, schema_editor):
    get = apps.get_model
    get("profiles", "Title").objects.bulk_create(numbered(get("profiles", "Title"), TITLES))
    get("profiles", "Suffix").objects.bulk_create(numbered(get("profiles", "Suffix"), SUFFIXES))
    get("profiles", "Location").objects.bulk_create(numbered(get("profiles", "Location"), LOCATIONS))
    get("profiles", "ContactMethod").objects.bulk_create(numbered(get("profiles", "ContactMethod"), CONTACT_METHODS))
    ContactType = get("profiles", "ContactType")
    ContactType.objects.bulk_create([ContactType(id=n, name=n, sort_order=i) for i, n in enumerate(CONTACT_TYPES, 1)])
    Status = get("profiles", "Status")
    Status.objects.bulk_create([Status(id=n, name=n, sort_order=i) for i, n in enumerate(STATUSES, 1)])
    Country = get("profiles", "Country")
    Country.objects.bulk_create(
        [
            Country(
                id=int(c.numeric),
                alpha_2=c.alpha_2,
                name=getattr(c, "common_name", None) or c.name,
                sort_order=0 if int(c.numeric) == UK else 1,
            )
            for c in pycountry.countries
        ]
    )
    # ISO 639-1 languages, numbered by code so the ids are stable for a given list.
    Language = get("profiles", "Language")
    languages = sorted((lang for lang in pycountry.languages if hasattr(lang, "alpha_2")), key=lambda lang: lang.alpha_2)
    Language.objects.bulk_create(
        [
            Language(id=n, code=lang.alpha_2, name=lang.name, sort_order=0 if lang.alpha_2 == "en" else 1)
            for n, lang in enumerate(languages, start=1)
        ]
    )


def uninstall(apps, schema_editor):
    for name in ["Title", "Suffix", "Location", "ContactMethod", "ContactType", "Status", "Country", "Language"]:
        apps.get_model("profiles", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
