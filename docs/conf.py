"""Sphinx configuration of the exportdb documentation site."""

import exportdb

project = "exportdb"
author = "the exportdb authors"
copyright = "the exportdb authors"
release = exportdb.__version__
version = release

extensions = ["exportdb.sphinx"]

# The ExportDB pages are generated into docs/generated/ when the build starts.
exportdb_cases_dir = "../cases"
exportdb_output_dir = "generated"
exportdb_engines = ["builtin"]
exportdb_tag_descriptions = True

exclude_patterns = ["_build"]
html_theme = "furo"  # light/dark switch and search built in
html_title = f"exportdb {release}"
