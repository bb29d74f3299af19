"""``torch``, ``torch.linalg`` and ``torch.nn.functional`` functions of the reduction,
scan, sorting and statistics families that are not simply a Tensor method.

:data:`NAMESPACE` joins the ``torch`` module, :data:`LINALG` is ``torch.linalg`` and
:data:`FUNCTIONAL` joins ``torch.nn.functional`` (``F.softmin`` lives with the
activations); each function records the ops torch.export 2.13 records for the same call (``F.normalize`` is a vector norm,
``clamp_min``, ``expand_as`` and ``div``, as torch's Python code computes it).
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.frontend.tensor_reductions import (
    MISSING, dim_list, is_tensor, record, variance, vector_or_matrix_norm,
)
from exportdb.exporter.ir.dtypes import DType

#: torch.cdist's compute_mode names and the integers the ATen op takes.
_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": None, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def std_mean(t: Tensor, dim: Any = MISSING, unbiased: Any = MISSING, keepdim: bool = False, *,
             correction: Any = MISSING) -> tuple:
    return variance("std_mean", t, dim, unbiased, keepdim, correction=correction)


def var_mean(t: Tensor, dim: Any = MISSING, unbiased: Any = MISSING, keepdim: bool = False, *,
             correction: Any = MISSING) -> tuple:
    return variance("var_mean", t, dim, unbiased, keepdim, correction=correction)


def norm(t: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, out: Any = None,
         dtype: DType | None = None) -> Tensor:
    return vector_or_matrix_norm(t, p, dim, keepdim, dtype)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    return record("cdist.default", x1, x2, p, _CDIST_MODES[compute_mode])


def _integral(name: str, y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: both x and dx")
    if is_tensor(x):
        return record(f"{name}.x", y, x, dim=dim)
    step = dx if dx is not None else (x if x is not None else 1)
    return record(f"{name}.dx", y, dx=step, dim=dim)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return _integral("trapezoid", y, x, dx=dx, dim=dim)


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return _integral("trapz", y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return _integral("cumulative_trapezoid", y, x, dx=dx, dim=dim)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    overload = "Tensor" if is_tensor(input) else "Scalar"
    return record(f"bucketize.{overload}", input, boundaries, out_int32=out_int32, right=right)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,  # noqa: A002
                 side: str | None = None, sorter: Any = None) -> Tensor:
    overload = "Tensor" if is_tensor(input) else "Scalar"
    return record(f"searchsorted.{overload}", sorted_sequence, input, out_int32=out_int32, right=right,
                  side=side, sorter=sorter)


# -- torch.linalg -----------------------------------------------------------------------------------
def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: DType | None = None) -> Tensor:
    return record("linalg_vector_norm.default", x, ord, dim_list(dim), keepdim, dtype=dtype)


def matrix_norm(a: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype: DType | None = None) -> Tensor:
    overload = "str_ord" if isinstance(ord, str) else "default"
    return record(f"linalg_matrix_norm.{overload}", a, ord, list(dim), keepdim, dtype=dtype)


def linalg_norm(a: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: DType | None = None) -> Tensor:
    overload = "ord_str" if isinstance(ord, str) else "default"
    return record(f"linalg_norm.{overload}", a, ord, dim_list(dim), keepdim, dtype=dtype)


LINALG = {"vector_norm": vector_norm, "matrix_norm": matrix_norm, "norm": linalg_norm}


# -- torch.nn.functional ----------------------------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Any = None) -> Tensor:
    denom = record("linalg_vector_norm.default", input, p, dim_list(dim), True)
    denom = record("clamp_min.default", denom, eps)
    return input / record("expand_as.default", denom, input)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    return record("cosine_similarity.default", x1, x2, dim, eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    return record("pairwise_distance.default", x1, x2, p, eps, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    return record("pdist.default", input, p)


FUNCTIONAL = {f.__name__: f for f in (normalize, cosine_similarity, pairwise_distance, pdist)}


def _method(name: str):
    def fn(t: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(t, name)(*args, **kwargs)

    fn.__name__ = name
    return fn


#: torch.<name>(t, ...) that call the Tensor method of the same name.
_METHODS = ("nansum", "nanmean", "aminmax", "count_nonzero", "logsumexp", "std", "var", "median", "nanmedian",
            "mode", "kthvalue", "quantile", "nanquantile", "dist", "renorm", "cumsum", "cumprod", "cummax", "cummin",
            "logcumsumexp", "diff", "sort", "argsort", "msort", "topk", "histc", "histogram", "hash_tensor", "bincount", "unique",
            "unique_consecutive")
NAMESPACE: dict[str, Any] = {
    **{name: _method(name) for name in _METHODS},
    "std_mean": std_mean, "var_mean": var_mean, "norm": norm, "cdist": cdist, "trapezoid": trapezoid,
    "trapz": trapz, "cumulative_trapezoid": cumulative_trapezoid, "bucketize": bucketize,
    "searchsorted": searchsorted, "cosine_similarity": cosine_similarity, "pairwise_distance": pairwise_distance,
    "pdist": pdist,
}
