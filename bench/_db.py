"""A throwaway benchmark database, SQLite or PostgreSQL, chosen before Django starts."""
import os


def use_bench_database(kind: str, name: str = "center_bench") -> str:
    """Point DATABASE_URL at a fresh benchmark database; returns a label for the printout. ``name``
    lets a benchmark keep its own database (and SQLite file) beside another one running."""
    if kind == "postgres":
        import psycopg

        # CENTER_BENCH_DATABASE names another one, so that two benchmarks can run side by side.
        name = os.environ.get("CENTER_BENCH_DATABASE", "center_bench")
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        return f"PostgreSQL ({name})"
    path = "/tmp/center-bench.sqlite3" if name == "center_bench" else f"/tmp/{name.replace('_', '-')}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return f"SQLite ({path})"


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def base_rows(prefix: str = "bench"):
    """A town, an enterprise with its account and project, a department with an officer."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from departments.models import Department, Officer
    from projects.models import Enterprise, InvestmentProject, Town
    from projects.tests.factories import make_credit_code

    User = get_user_model()
    town = Town.objects.create(name_zh=f"{prefix}镇", name_en=f"{prefix} town")
    enterprise = Enterprise.objects.create(name=f"{prefix}企业", credit_code=make_credit_code(hash(prefix) % 10_000),
                                           contact_name="张三", contact_mobile="13800000000",
                                           contact_email=f"{prefix}@example.com")
    user = User.objects.create_user(f"{prefix}-enterprise", f"{prefix}-e@example.com", "x")
    enterprise.users.add(user)
    project = InvestmentProject.objects.create(enterprise=enterprise, town=town, name=f"{prefix}项目",
                                               total_investment=Decimal("1"), planned_completion_date=datetime.date(2027, 6, 30))
    department = Department.objects.create(name_zh=f"{prefix}委", name_en=f"{prefix} commission", short_code=prefix[:8].upper())
    officer = User.objects.create_user(f"{prefix}-officer", f"{prefix}-o@example.com", "x")
    Officer.objects.create(user=officer, department=department, display_name="经办人")
    return dict(town=town, enterprise=enterprise, user=user, project=project, department=department, officer=officer)
