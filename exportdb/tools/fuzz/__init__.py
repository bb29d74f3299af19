"""Property-based fuzzing of the built-in exporter.

:mod:`exportdb.tools.fuzz.generator` draws random case programs with hypothesis
(op sequences over random shapes, nested conds with closures, in-place ops on
intermediates, static loops, pytree inputs and outputs, dynamic dims) and
writes each as the Python source of a case file.  :mod:`exportdb.tools.fuzz.check`
exports a program with the built-in engine, lints and runs it, and compares it
with eager mode at several sizes inside the declared dynamic ranges;
:mod:`exportdb.tools.fuzz.torch_check` compares a program with the real
``torch.export``.  :mod:`exportdb.tools.fuzz.profile` runs long profiles
(``exportdb fuzz --programs 10000``).

hypothesis is needed only here (it is a test dependency), so nothing outside
this package imports it.
"""
