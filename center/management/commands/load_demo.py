from django.core.management.base import BaseCommand

from center.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo data from the seeds' cases (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 Demo data ready."))
        self.stdout.write(f"演示账号密码 Demo password (demo only): {result['password']}")
        self.stdout.write(f"{'username':<12} {'role':<20} where")
        for username, role, where in result["users"]:
            self.stdout.write(f"{username:<12} {role:<20} http://127.0.0.1:8000{where}")
