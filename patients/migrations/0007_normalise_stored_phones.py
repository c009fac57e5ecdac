"""Phone numbers already stored are rewritten in E.164 where they are valid; the others stay as
typed (an edit then asks for a number that can be dialled)."""

import phonenumbers
from django.conf import settings
from django.db import migrations


def normalise(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    changed = []
    for patient in Patient.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(patient.phone, settings.CLINIC_PHONE_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 != patient.phone:
                patient.phone = e164
                changed.append(patient)
    Patient.objects.bulk_update(changed, ["phone"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_names_visible_phones_normalised")]

    # The typed form of a number is not kept, so going back leaves the E.164 form in place.
    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
