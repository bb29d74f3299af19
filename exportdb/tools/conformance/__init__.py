"""Conformance harnesses: the built-in exporter measured against PyTorch's own test databases.

``exportdb conformance KIND`` (:mod:`.command` dispatches on KIND) loads a
database from the installed torch at run time (never copied) and runs each of
its samples through both engines.  ``exportdb conformance ops`` (:mod:`.ops`)
covers torch's OpInfo database, one generated one-call case per sample::

    $ exportdb conformance ops --ops add cumsum
    agrees          add     11/11
    not supported   cumsum    0/4  UnsupportedAPIError: torch.cumsum is not provided by the built-in front end
    ops: 1/2 agree where torch.export exports (15 samples)

Its modules: :mod:`.opinfos` (op_db, samples, callable names, tolerances),
:mod:`.op_source` (a sample's one-call case as source text), :mod:`.op_sample`
(one sample through both engines), :mod:`.torch_cache` (torch.export's results
on disk), :mod:`.op_pool` (worker processes with time limits) and
:mod:`.op_report` (statuses, text and JSON).
"""
