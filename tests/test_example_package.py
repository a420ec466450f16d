"""The Birmingham example package installs like a Trust's own package and works for its Trust only.

It is installed with pip into a throwaway environment that sees this project's
environment (a .pth file) but nothing else, so no network is needed, and the
walk of docs/plugins.md is run there: migrate, create the Trusts, switch the
package on, and find its entries on a service's resources.
"""
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "examples" / "birmingham-resources"

WALK = r'''
import sys
from core import create_app, commands, migrate
from core.db import db
from core.events import acting_as
from core.models import Tenant
from core.plugins import host
from core.tenancy import tenant_context

url = sys.argv[1]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "walk", "TESTING": True,
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
with app.app_context():
    migrate.upgrade()
    assert host().pm.get_plugin("birmingham_resources").__file__.startswith(sys.argv[2]), "not the installed copy"
    with acting_as("cli"):
        brum = commands.create_tenant("birmingham", "Birmingham and Solihull")
        north = commands.create_tenant("north", "North Trust")
        with tenant_context(brum.id):
            oak_id = commands.create_service("Oak Day Centre", "day_centre").id
            commands.enable_plugin(brum, "birmingham_resources")
        with tenant_context(north.id):
            try:
                commands.enable_plugin(north, "birmingham_resources")
            except commands.CommandError as err:
                print("north refused:", err.message)
        db.session.commit()
    user = commands.create_user("admin@brum.example", "Admin", "correct horse battery staple")
    with tenant_context(brum.id), acting_as("cli"):
        commands.add_member(user, "admin")
    db.session.commit()
client = app.test_client()
client.post("/sign-in", data={"email": "admin@brum.example", "password": "correct horse battery staple"})
page = client.get(f"/t/birmingham/resources/?service={oak_id}").get_data(as_text=True)
print("User Voice" in page, "Suresearch" in page, "From the birmingham_resources package" in page)
print(client.get("/t/birmingham/plugins").status_code)
'''


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    home = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    target = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    # this project's environment, and the project itself, are visible; the test plugins' folders are not
    (Path(target) / "project.pth").write_text("\n".join([*site.getsitepackages(), str(ROOT)]) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PIP_NO_INDEX"] = "1"  # nothing from the network
    # the project's setuptools builds the package; the older copy a new environment may bring is removed
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "setuptools"], env=env,
                   capture_output=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "-e", str(PACKAGE)], check=True, env=env, capture_output=True)
    return python, env


def test_the_example_installs_and_works_for_its_trust_only(throwaway, tmp_path):
    python, env = throwaway
    listed = subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True, env=env).stdout
    assert "birmingham-resources" in listed
    result = subprocess.run([str(python), "-c", WALK, f"sqlite:///{tmp_path / 'walk.db'}", str(PACKAGE)],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("north refused: The plugin 'birmingham_resources' is not available to North Trust")
    assert lines[1] == "True True True"
    assert lines[2] == "200"


def test_the_project_environment_has_no_test_plugin():
    """`make test` leaves the environment `make run` serves as it was: no test plugin is installed in it."""
    listed = subprocess.run([sys.executable, "-m", "pip", "list"], capture_output=True, text=True).stdout
    assert "changing-lives-example-plugin" not in listed and "birmingham-resources" not in listed
