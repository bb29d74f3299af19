"""Package layout that pyproject.toml cannot express alone.

Every ``exportdb*`` package is discovered as usual; the repository's top-level
``templates/`` directory is added as ``exportdb.templates``, so a regular
(non-editable) install ships the Jinja templates inside the package.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["exportdb", "exportdb.*"]) + ["exportdb.templates"],
    package_dir={"exportdb.templates": "templates"},
)
