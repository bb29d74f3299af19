"""Sphinx configuration of the exportdb documentation site."""

import importlib.util

import exportdb

project = "exportdb"
author = "the exportdb authors"
copyright = "the exportdb authors"
release = exportdb.__version__
version = release

# exportdb.site.sphinx_extension loads sphinx_inline_tabs itself; it is listed for readers of this file.
extensions = ["exportdb.site.sphinx_extension", "sphinx_inline_tabs"]

# The ExportDB pages are generated into docs/generated/ when the build starts.
exportdb_cases_dir = "../cases"
exportdb_output_dir = "generated"
# With PyTorch installed, case pages show torch.export's Result too, in a tab
# beside the built-in exporter's; without it the site builds with "builtin" only.
exportdb_engines = ["builtin", "torch"] if importlib.util.find_spec("torch") else ["builtin"]
exportdb_tag_descriptions = True
# The Operator coverage page (generated/operators) shows this recorded `exportdb conformance ops` run.
exportdb_ops_record = "conformance/ops.json"
# The Module coverage page (generated/modules) shows this recorded `exportdb conformance modules` run.
exportdb_modules_record = "conformance/modules.json"

exclude_patterns = ["_build", "_*.rst"]  # _name.rst files are fragments for .. include::
html_theme = "furo"  # light/dark switch and search built in
html_title = f"exportdb {release}"
html_static_path = ["_static"]
html_css_files = ["exportdb.css"]  # code blocks wrap rather than scroll sideways
