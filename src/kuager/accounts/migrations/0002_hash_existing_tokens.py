"""Move API tokens kept in clear by rest_framework.authtoken into hashed ApiToken rows, then delete them."""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    for tok in Token.objects.all():
        ApiToken.objects.create(user_id=tok.user_id, key_hash=hashlib.sha256(tok.key.encode("utf-8")).hexdigest(),
                                prefix=tok.key[:8], expires_at=now + timedelta(days=90))
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
