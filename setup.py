"""The build step a wheel (or any non-editable install) needs beyond pyproject.toml.

It compiles the Russian catalog, and copies into the package what lives beside it in a checkout
(templates/, migrations/, and the npm files the app serves or embeds: htmx and the report
fonts), under ``expo/_bundled`` — where ``expo.ROOT`` looks when the package is installed alone.
Editable installs read the checkout directly; scripts/setup.sh compiles their catalogs.
"""
import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED_TREES = ("templates", "migrations")
FONTS = [f"node_modules/@fontsource/noto-sans/files/noto-sans-{subset}-{weight}-normal.woff"
         for subset in ("latin", "cyrillic") for weight in (400, 700)]
BUNDLED_FILES = ["node_modules/htmx.org/dist/htmx.min.js", *FONTS]


class BuildWithCatalogsAndFiles(build_py):
    def run(self):
        super().run()
        package = Path(self.build_lib) / "expo"
        for po in (HERE / "expo" / "translations").glob("*/LC_MESSAGES/messages.po"):
            mo = package / po.relative_to(HERE / "expo").with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, mo.open("wb") as out:
                write_mo(out, read_po(source))
        bundled = package / "_bundled"
        for tree in BUNDLED_TREES:
            shutil.copytree(HERE / tree, bundled / tree, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        for name in BUNDLED_FILES:  # missing without npm: pages then work without htmx
            if (HERE / name).exists():
                (bundled / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(HERE / name, bundled / name)


setup(cmdclass={"build_py": BuildWithCatalogsAndFiles})
