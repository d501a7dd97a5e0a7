"""Tiny transformers whose attention probabilities a hook can see.

Two classifiers share one encoder (nanoGPT style, pre-norm blocks):

- :func:`tiny_transformer` reads token sequences ``(B, T)`` (integer ids),
- :func:`vit` reads images ``(B, C, H, W)`` cut into ``patch_size`` x ``patch_size`` patches.

Every :class:`SelfAttention` computes ``softmax(Q K^T / sqrt(d_k))`` explicitly and passes
the probabilities through its child ``map`` (an :class:`AttentionMap`), so a forward hook on
``blocks.0.attn.map`` receives the ``(B, heads, T, T)`` attention matrix.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from vizdl.models import _checks

POOLS = ("mean", "cls")


class AttentionMap(nn.Identity):
    """Marker module: its forward output is the attention probabilities ``(B, heads, T, T)``."""


@dataclass
class TransformerConfig:
    """Hyper-parameters of the encoder shared by :func:`tiny_transformer` and :func:`vit`."""

    seq_len: int = 8        # tokens (or patches) per input, CLS excluded
    d_model: int = 32       # width of every token vector
    heads: int = 2          # attention heads; d_model must be divisible by heads
    depth: int = 2          # number of transformer blocks
    mlp_ratio: int = 2      # hidden width of each block's MLP = mlp_ratio * d_model
    dropout: float = 0.0    # dropout on attention probabilities and residual branches
    pool: str = "mean"      # "mean": average of the tokens, "cls": a learned CLS token
    num_classes: int = 2    # outputs of the classifier head

    def __post_init__(self):
        _checks.positive_int(seq_len=self.seq_len, d_model=self.d_model, heads=self.heads,
                   depth=self.depth, mlp_ratio=self.mlp_ratio, num_classes=self.num_classes)
        if self.d_model % self.heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by heads={self.heads}")
        if self.pool not in POOLS:
            raise ValueError(f"pool must be one of {POOLS}, got {self.pool!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")

    @property
    def tokens(self) -> int:
        """Sequence length seen by the blocks (CLS included)."""
        return self.seq_len + (self.pool == "cls")


class SelfAttention(nn.Module):
    """Multi-head self-attention with the attention matrix made explicit.

    ``y = out_proj(concat_h softmax(Q_h K_h^T / sqrt(d_k)) V_h)`` with
    ``Q = q_proj(x)``, ``K = k_proj(x)``, ``V = v_proj(x)`` and ``d_k = d_model / heads``.
    """

    def __init__(self, d_model: int, heads: int, dropout: float = 0.0):
        super().__init__()
        self.heads = heads
        self.head_dim = d_model // heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.map = AttentionMap()
        self.drop = nn.Dropout(dropout)
        self.out_proj = nn.Linear(d_model, d_model)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, d_model)`` -> ``(B, heads, T, head_dim)``."""
        batch, tokens, _ = x.shape
        return x.reshape(batch, tokens, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = x.shape                       # (B, T, d_model)
        q = self.split(self.q_proj(x))                       # (B, heads, T, head_dim)
        k = self.split(self.k_proj(x))                       # (B, heads, T, head_dim)
        v = self.split(self.v_proj(x))                       # (B, heads, T, head_dim)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, heads, T, T)
        probs = self.map(torch.softmax(scores, dim=-1))      # (B, heads, T, T), rows sum to 1
        y = self.drop(probs) @ v                             # (B, heads, T, head_dim)
        y = y.transpose(1, 2).reshape(batch, tokens, width)  # (B, T, d_model)
        return self.out_proj(y)


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))`` then ``x + mlp(norm2(x))``."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        hidden = config.mlp_ratio * config.d_model
        self.norm1 = nn.LayerNorm(config.d_model)
        self.attn = SelfAttention(config.d_model, config.heads, config.dropout)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.mlp = nn.Sequential(nn.Linear(config.d_model, hidden), nn.GELU(),
                                 nn.Linear(hidden, config.d_model), nn.Dropout(config.dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TokenEmbedding(nn.Module):
    """Integer ids ``(B, T)`` -> token vectors ``(B, T, d_model)``."""

    def __init__(self, vocab_size: int, d_model: int):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.tokens(ids.long())


class PatchEmbedding(nn.Module):
    """Images ``(B, C, H, W)`` -> one vector per patch ``(B, H/p * W/p, d_model)``, row by row."""

    def __init__(self, input_shape: tuple, patch_size: int, d_model: int):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.patches = nn.Conv2d(input_shape[0], d_model, patch_size, stride=patch_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        images = images.reshape(-1, *self.input_shape)        # accepts flattened images too
        return self.patches(images).flatten(2).transpose(1, 2)  # (B, patches, d_model)


class Transformer(nn.Module):
    """Embedding, position embedding, optional CLS token, blocks, final norm and linear head."""

    def __init__(self, embed: nn.Module, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.embed = embed
        self.cls = nn.Parameter(torch.zeros(1, 1, config.d_model)) if config.pool == "cls" else None
        self.pos = nn.Parameter(torch.randn(1, config.tokens, config.d_model) * 0.02)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x)                                    # (B, seq_len, d_model)
        if self.cls is not None:
            h = torch.cat([self.cls.expand(h.shape[0], -1, -1), h], dim=1)  # CLS first
        h = h + self.pos                                     # (B, T, d_model)
        for block in self.blocks:
            h = block(h)
        h = self.norm(h)
        pooled = h[:, 0] if self.cls is not None else h.mean(dim=1)  # (B, d_model)
        return self.head(pooled)                             # (B, num_classes)


def tiny_transformer(*, input_shape, num_classes: int, vocab_size: int, d_model: int = 32,
                     heads: int = 2, depth: int = 2, mlp_ratio: int = 2, dropout: float = 0.0,
                     pool: str = "mean") -> Transformer:
    """A small transformer classifier for integer token sequences.

    Parameters
    ----------
    input_shape : (seq_len,)
        Length of the token sequences.
    num_classes, vocab_size : int
        Outputs of the classifier; number of distinct token ids.
    d_model, heads, depth, mlp_ratio, dropout : int, int, int, int, float
        Width, attention heads (``d_model % heads == 0``), blocks, MLP expansion, dropout.
    pool : {"mean", "cls"}
        Classify the mean of the token vectors or a learned CLS token (put first).

    Returns
    -------
    Transformer
        Attention modules are ``blocks.<i>.attn``, their maps ``blocks.<i>.attn.map``.
    """
    shape = _checks.shape(input_shape, 1, "(seq_len,)")
    _checks.positive_int(vocab_size=vocab_size)
    config = TransformerConfig(shape[0], d_model, heads, depth, mlp_ratio, dropout, pool, num_classes)
    model = Transformer(TokenEmbedding(vocab_size, d_model), config)
    model.vizdl_spec = {"name": "tiny_transformer", "config": {
        "input_shape": list(shape), "num_classes": num_classes, "vocab_size": vocab_size,
        **_public(config)}}
    return model


def vit(*, input_shape, num_classes: int, patch_size: int = 2, d_model: int = 32, heads: int = 4,
        depth: int = 2, mlp_ratio: int = 2, dropout: float = 0.0, pool: str = "cls") -> Transformer:
    """A tiny vision transformer: the image is cut into patches, one token per patch.

    Parameters
    ----------
    input_shape : (C, H, W)
        Image shape, e.g. ``(1, 8, 8)`` for the digits; ``H`` and ``W`` divisible by
        ``patch_size``. Flattened inputs ``(B, C*H*W)`` are reshaped.
    num_classes : int
        Outputs of the classifier.
    patch_size : int
        Side of the square patches; patches are numbered row by row.
    d_model, heads, depth, mlp_ratio, dropout : int, int, int, int, float
        As in :func:`tiny_transformer`.
    pool : {"cls", "mean"}
        With ``"cls"`` (default) token 0 is the CLS token and token ``1 + i`` is patch ``i``.

    Returns
    -------
    Transformer
    """
    shape = _checks.shape(input_shape, 3, "(C, H, W)")
    _checks.positive_int(patch_size=patch_size)
    if shape[1] % patch_size or shape[2] % patch_size:
        raise ValueError(f"patch_size={patch_size} must divide the image height and width "
                         f"of input_shape={tuple(shape)}")
    patches = (shape[1] // patch_size) * (shape[2] // patch_size)
    config = TransformerConfig(patches, d_model, heads, depth, mlp_ratio, dropout, pool, num_classes)
    model = Transformer(PatchEmbedding(shape, patch_size, d_model), config)
    model.vizdl_spec = {"name": "vit", "config": {
        "input_shape": list(shape), "num_classes": num_classes, "patch_size": patch_size,
        **_public(config)}}
    return model


def _public(config: TransformerConfig) -> dict:
    fields = asdict(config)
    return {k: fields[k] for k in ("d_model", "heads", "depth", "mlp_ratio", "dropout", "pool")}
