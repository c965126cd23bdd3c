from django.core.management.base import BaseCommand

from workorders import signing


class Command(BaseCommand):
    help = ("Generate a new stamp signing key in CENTER_STAMP_KEY_DIR; new stamps use it, older stamps keep "
            "verifying with the old keys, which stay published in /.well-known/jwks.json.")

    def add_arguments(self, parser):
        parser.add_argument("--kid", help="key id (default: a time stamp)")

    def handle(self, *args, kid=None, **options):
        new = signing.generate_key(kid)
        self.stdout.write(f"new key {new}; keys now published: "
                          f"{', '.join(k['kid'] for k in signing.public_jwks()['keys'])}")
