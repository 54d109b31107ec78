"""Installed from a wheel (as a Dockerfile or an operator would), Expo still speaks Russian.

The build compiles the catalog and puts the templates, migrations, htmx and the report fonts
inside the package (setup.py). The test builds the wheel, installs it into a fresh virtual
environment, and — from a folder outside the checkout — migrates a database, renders a Russian
page and prints a Russian PDF report. The new environment borrows this one's installed
libraries through a path file (no download), but not its editable install of Expo.
"""
from __future__ import annotations

import json
import site
import subprocess
import sys
import textwrap
import venv

from expo import ROOT

SCRIPT = textwrap.dedent('''
    import json, pathlib, re
    from io import BytesIO

    from pypdf import PdfReader

    import expo
    from expo import create_app
    from expo.core import db
    from expo.core.migrate import upgrade
    from expo.core.models import SYSTEM
    from expo.core.reports import generate
    from expo.core.services import users

    app = create_app({"LOCALE": "ru", "PLUGINS": "none"})
    upgrade(app)
    with app.app_context():
        users.create_user({"email": "boss@firm.ru", "name": "Босс", "role": "admin", "password": "wheel-pw"}, SYSTEM)
        report = generate.create_report({"sections": ["summary"], "period": "2026-10", "title": "Отчёт"}, SYSTEM)
        db.commit()
        generate.start(report)
        pdf = generate.finished_file(db.session().get(type(report), report.id)).read_bytes()
    http = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").get_data(as_text=True)).group(1)
    http.post("/login", data={"email": "boss@firm.ru", "password": "wheel-pw", "csrf_token": token})
    print(json.dumps({
        "package": expo.__file__, "root": str(expo.ROOT),
        "page": http.get("/tasks").get_data(as_text=True),
        "htmx": http.get("/vendor/htmx.min.js").status_code,
        "pdf": "\\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages),
    }))
''')


def test_a_wheel_installed_alone_serves_russian_pages_and_reports(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-build-isolation", "--no-deps",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("expo-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # The libraries Expo needs, from this environment: a plain path line, so this environment's
    # own .pth files (among them the editable install of the checkout) are not processed.
    new_site = next((env_dir / "lib").glob("python3.*/site-packages"))
    (new_site / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    run = subprocess.run([str(python), "-c", SCRIPT], cwd=workdir, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "EXPO_INSTANCE_DIR": str(workdir / "instance")})
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["package"].startswith(str(new_site)) and result["root"].endswith("expo/_bundled")
    assert "Мои задачи" in result["page"] and "My tasks" not in result["page"]
    assert result["htmx"] == 200
    assert "Сводка" in result["pdf"] and "Summary" not in result["pdf"]
