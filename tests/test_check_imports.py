"""scripts/check_imports: the imports between apps against the declared layer order."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_imports"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return root


def _check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=60)


def test_a_downward_tree_passes_and_its_edges_are_counted(tmp_path):
    root = _tree(tmp_path, {
        "core/roles.py": "CENTER_STAFF = 'center_staff'\n",
        "workorders/permissions.py": "from core import roles\nfrom projects.models import Town\n",
        "projects/models.py": "from core.roles import CENTER_STAFF\n",
        "center/urls.py": "from center.office_hours import views\nfrom workorders import permissions\n",
        "center/office_hours/views.py": "def page():\n    from workorders.permissions import roles\n",
    })
    result = _check(root)
    assert result.returncode == 0, result.stdout
    assert "workorders → core" in result.stdout and "workorders → projects" in result.stdout
    assert "center → center.office_hours" in result.stdout
    local_line = next(line for line in result.stdout.splitlines() if "center.office_hours → workorders" in line)
    assert local_line.split()[-3:] == ["1", "(1", "function-local)"]
    assert "No import against the layer order." in result.stdout


def test_a_back_edge_is_reported_even_inside_a_function(tmp_path):
    root = _tree(tmp_path, {
        "core/paging.py": "def page_of():\n    from center.dashboards import tables\n",
        "projects/services.py": "from center import roles\n",
        "workorders/models.py": "",
    })
    result = _check(root)
    assert result.returncode == 1
    assert "core/paging.py:2: core imports center.dashboards, a higher layer" in result.stdout
    assert "projects/services.py:1: projects imports center, a higher layer" in result.stdout


def test_an_import_within_one_layer_fails_and_relative_imports_are_resolved(tmp_path):
    root = _tree(tmp_path, {
        "projects/models.py": "from ..departments.models import Department\n",
        "departments/models.py": "",
    })
    result = _check(root)
    assert result.returncode == 1
    assert "projects/models.py:1: projects imports departments, of the same layer" in result.stdout


def test_tests_and_migrations_are_not_product_code(tmp_path):
    root = _tree(tmp_path, {
        "core/tests/test_roles.py": "from center import urls\n",
        "workorders/migrations/0001_initial.py": "import center.models\n",
        "projects/test_models.py": "import workorders\n",
    })
    assert _check(root).returncode == 0


def test_an_app_in_no_layer_fails(tmp_path):
    root = _tree(tmp_path, {"reports/apps.py": "", "reports/models.py": ""})
    result = _check(root)
    assert result.returncode == 1 and "reports/: an app in no layer" in result.stdout


def test_this_project_follows_its_layers():
    result = _check(SCRIPT.parent.parent)
    assert result.returncode == 0, result.stdout
