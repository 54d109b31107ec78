"""Builds compile the plugin's Russian catalog into the package, so every install path serves
Russian (editable installs: scripts/setup.sh compiles it in place). Kept self-contained: a plugin
distribution builds without Expo."""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

PACKAGE = "expo_planning"


class BuildWithCatalog(build_py):
    def run(self):
        super().run()
        for po in Path(__file__).resolve().parent.glob(f"{PACKAGE}/translations/*/LC_MESSAGES/messages.po"):
            mo = Path(self.build_lib) / PACKAGE / po.relative_to(po.parents[3]).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, mo.open("wb") as out:
                write_mo(out, read_po(source))


setup(cmdclass={"build_py": BuildWithCatalog})
