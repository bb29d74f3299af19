"""The Sphinx extension's original name, kept so existing ``conf.py`` files keep working.

``extensions = ["exportdb.sphinx"]`` and ``["exportdb.site.sphinx_extension"]``
load the same extension.
"""

from exportdb.site.sphinx_extension import setup

__all__ = ["setup"]
