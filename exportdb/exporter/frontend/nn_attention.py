"""Attention: ``F.scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention``.

Multi-head attention records the op sequence torch.export 2.13 records for
torch's Python implementation: one packed ``linear`` when query, key and value
are the same tensor (then ``unflatten``/``select`` to split it), per-head
``view``/``transpose``, then either ``bmm``/``softmax`` (when the weights are
returned) or ``scaled_dot_product_attention`` (``need_weights=False``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend import functions
from exportdb.exporter.frontend.nn_args import trim_defaults
from exportdb.exporter.frontend.nn_modules import Linear, Module, dropout, linear
from exportdb.exporter.frontend.nn_reshape import pad
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ops import aten
from exportdb.exporter.ops import creation as _creation
from exportdb.exporter.trace.dispatch import call, user_location


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    kwargs: dict = {}
    if scale is not None:
        kwargs["scale"] = scale
    if enable_gqa:
        kwargs["enable_gqa"] = True
    args = trim_defaults((attn_mask, float(dropout_p), is_causal), (None, 0.0, False))
    return call(aten("scaled_dot_product_attention.default"), query, key, value, *args, **kwargs)


def canonical_mask(mask: Tensor | None, dtype: Any = dtypes.float32) -> Tensor | None:
    """A boolean mask becomes an additive float mask (``-inf`` where it is true)."""
    if mask is None or mask.dtype != dtypes.bool_:
        return mask
    return functions.zeros_like(mask, dtype=dtype).masked_fill_(mask, float("-inf"))


def _packed_projection(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | None) -> tuple:
    """Project query, key and value with the packed ``(3E, E)`` weight."""
    e = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            proj = call(aten("unflatten.int"), proj, -1, [3, e]).unsqueeze(0).transpose(0, -2).squeeze(-2)
            proj = proj.contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = b.split([e, e * 2]) if b is not None else (None, None)
        q_proj = linear(q, w_q, b_q)
        kv = call(aten("unflatten.int"), linear(k, w_kv, b_kv), -1, [2, e]).unsqueeze(0).transpose(0, -2)
        kv = kv.squeeze(-2).contiguous()
        return q_proj, kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = b.chunk(3) if b is not None else (None, None, None)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _pad_masks(attn_mask: Tensor | None, key_padding_mask: Tensor | None) -> tuple:
    """Both masks get one more (unmasked) key column, for an added key."""
    return (pad(attn_mask, (0, 1)) if attn_mask is not None else None,
            pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None, bias_v: Tensor | None,
        add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
        training: bool = True, key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
        k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
    if static_k is not None or static_v is not None:
        raise UnsupportedAPIError("multi-head attention with static keys or values is not provided by the "
                                  "built-in front end", location=user_location(),
                                  hint="drop static_k/static_v, or run the case with the torch engine")
    batched = query.ndim == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    key_padding_mask = canonical_mask(key_padding_mask, query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention applies the causal mask itself
    else:
        attn_mask = canonical_mask(attn_mask, query.dtype)
        if key_padding_mask is not None:
            is_causal = False
    head_dim = embed_dim // num_heads
    if use_separate_proj_weight:
        b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
        q, k, v = linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k), linear(value, v_proj_weight, b_v)
    else:
        q, k, v = _packed_projection(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:  # one more key and value: the learned biases
        k = functions.cat([k, call(aten("repeat.default"), bias_k, [1, bsz, 1])])
        v = functions.cat([v, call(aten("repeat.default"), bias_v, [1, bsz, 1])])
        attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:  # one more key and value of zeros
        zeros_shape = (bsz * num_heads, 1, head_dim)
        k = functions.cat([k, functions.zeros(zeros_shape, dtype=k.dtype)], dim=1)
        v = functions.cat([v, functions.zeros(zeros_shape, dtype=v.dtype)], dim=1)
        attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        merged = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        merged = merged.reshape(bsz * num_heads, 1, src_len)
        attn_mask = merged if attn_mask is None else attn_mask + merged
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        k_t = k.transpose(-2, -1)
        if attn_mask is not None:
            weights = call(aten("baddbmm.default"), attn_mask, q_scaled, k_t)
        else:
            weights = q_scaled.bmm(k_t)
        weights = weights.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not batched:
        out = out.squeeze(1)
    return out, None


def _xavier_uniform(shape: tuple) -> Parameter:
    bound = math.sqrt(6.0 / (shape[0] + shape[1]))
    return Parameter(Tensor._make(_creation.RNG.uniform(-bound, bound, size=shape).astype(np.float32)))


def _zeros(shape: tuple) -> Parameter:
    return Parameter(Tensor._make(np.zeros(shape, np.float32)))


class MultiheadAttention(Module):
    """``nn.MultiheadAttention``; ``forward`` returns ``(output, weights or None)``."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, dropout, batch_first
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _xavier_uniform((3 * embed_dim, embed_dim))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = _xavier_uniform((embed_dim, embed_dim))
            self.k_proj_weight = _xavier_uniform((embed_dim, self.kdim))
            self.v_proj_weight = _xavier_uniform((embed_dim, self.vdim))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = _zeros((3 * embed_dim,))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            self.out_proj.bias = _zeros((embed_dim,))
        if add_bias_kv:
            self.bias_k, self.bias_v = _xavier_uniform((1, 1, embed_dim)), _xavier_uniform((1, 1, embed_dim))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple:
        batched = query.ndim == 3
        if batched and query is key and key is value:
            # torch's fast-path check reads in_proj_bias, then in_proj_weight, before anything
            # else; torch.export lifts the parameters in that first-read order.
            _ = self.in_proj_bias, self.in_proj_weight
        key_padding_mask = canonical_mask(key_padding_mask, query.dtype)
        attn_mask = canonical_mask(attn_mask, query.dtype)
        if self.batch_first and batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            return out.transpose(1, 0), weights
        return out, weights


FUNCTIONAL = {f.__name__: f for f in (scaled_dot_product_attention, multi_head_attention_forward)}
LAYERS = {c.__name__: c for c in (MultiheadAttention,)}
