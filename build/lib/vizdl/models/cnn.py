"""The three CIFAR-10 models of the notes ("CNN in practice"), adapted to any image size.

- :func:`cifar_fc`: Model 1, fully connected 3072-1024-256-64-10 (3,426,250 parameters).
- :func:`cifar_cnn`: Model 2, LeNet-like, two 5x5 convolutions (62,006 parameters).
- :func:`cifar_wide`: Model 3, six 3x3 convolutions with BatchNorm and Dropout (5,852,170
  parameters; BatchNorm running statistics are buffers, not parameters).

Layer names: ``features.<i>`` (convolutions), ``flatten``, ``classifier.<i>`` (Linear
layers). Smaller inputs (digits 1x8x8, MNIST 1x28x28) work: the first Linear layer is
sized by a dummy forward pass, and :func:`cifar_cnn` pads its 5x5 convolutions by 2
("same") when the image is smaller than 16 pixels, where valid convolutions would shrink
it to nothing.
"""
from __future__ import annotations

import torch
from torch import nn

from vizdl.models import _checks
from vizdl.models.mlp import MLP


class ConvNet(nn.Module):
    """``features`` (conv blocks), ``flatten``, then ``classifier`` (Linear layers)."""

    def __init__(self, features: list[nn.Module], widths: list[int], input_shape: tuple,
                 dropout_after: int | None = None, dropout: float = 0.0):
        super().__init__()
        self.features = nn.Sequential(*features)
        self.flatten = nn.Flatten()
        with torch.no_grad():
            flat = self.flatten(self.features.eval()(torch.zeros(1, *input_shape))).shape[1]
        self.features.train()
        layers: list[nn.Module] = []
        sizes = [flat, *widths]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
                if i == dropout_after and dropout > 0:
                    layers.append(nn.Dropout(dropout))
        self.classifier = nn.Sequential(*layers)

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))  # (B, num_classes) logits


def _image(input_shape, smallest: int, model: str) -> tuple:
    shape = _checks.shape(input_shape, 3, "(C, H, W)")
    if min(shape[1:]) < smallest:
        raise ValueError(f"{model} needs images of at least {smallest}x{smallest} pixels, "
                         f"got input_shape={shape}")
    return shape


def cifar_fc(*, input_shape=(3, 32, 32), num_classes: int = 10) -> MLP:
    """Model 1 of the notes: Linear 3072-1024-256-64-10 with ReLU (3,426,250 params on CIFAR)."""
    from vizdl.models.mlp import mlp

    return mlp(input_shape=input_shape, num_classes=num_classes, hidden=(1024, 256, 64))


def cifar_cnn(*, input_shape=(3, 32, 32), num_classes: int = 10, padding="auto") -> ConvNet:
    """Model 2 of the notes: conv5(6) pool conv5(16) pool, Linear 400-120-84-10 (62,006 params).

    Parameters
    ----------
    input_shape : (C, H, W)
        At least 4x4 pixels.
    num_classes : int
    padding : "auto", 0 or 2
        Padding of both 5x5 convolutions; ``"auto"`` is 0 (as in the notes) for images of
        at least 16x16 pixels and 2 below (8x8 digits: 8 -> 8 -> 4 -> 4 -> 2).
    """
    shape = _image(input_shape, 4, "cifar_cnn")
    _checks.positive_int(num_classes=num_classes)
    if padding == "auto":
        padding = 0 if min(shape[1:]) >= 16 else 2
    if padding not in (0, 2):
        raise ValueError(f"padding must be 'auto', 0 or 2, got {padding!r}")
    if padding == 0 and min(shape[1:]) < 16:
        raise ValueError(f"padding=0 needs images of at least 16x16 pixels, got input_shape={shape}")
    features = [nn.Conv2d(shape[0], 6, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(6, 16, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2)]
    return ConvNet(features, [120, 84, num_classes], shape)


def _wide_block(c_in: int, c_mid: int, c_out: int, batch_norm: bool) -> list[nn.Module]:
    """Conv3x3 (+ BatchNorm) + ReLU, Conv3x3 + ReLU, MaxPool2d(2): halves H and W."""
    norm = [nn.BatchNorm2d(c_mid)] if batch_norm else []
    return [nn.Conv2d(c_in, c_mid, 3, padding=1), *norm, nn.ReLU(),
            nn.Conv2d(c_mid, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]


def cifar_wide(*, input_shape=(3, 32, 32), num_classes: int = 10, batch_norm: bool = True,
               dropout: float = 0.05) -> ConvNet:
    """Model 3 of the notes: six 3x3 convolutions (32-64, 128-128, 256-256), Linear 4096-1024-512-10.

    The first convolution of each pair is followed by BatchNorm2d (``batch_norm=True``);
    Dropout(``dropout``) follows the last max-pooling and the 512-wide Linear layer.
    ``batch_norm=False`` and/or ``dropout=0`` give the notes' ablations (the modules are
    then left out). 5,852,170 parameters on CIFAR; needs images of at least 8x8 pixels.
    """
    shape = _image(input_shape, 8, "cifar_wide")
    _checks.positive_int(num_classes=num_classes)
    _checks.probability(dropout=dropout)
    if not isinstance(batch_norm, bool):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
    features = (_wide_block(shape[0], 32, 64, batch_norm) + _wide_block(64, 128, 128, batch_norm)
                + _wide_block(128, 256, 256, batch_norm))
    if dropout > 0:
        features.append(nn.Dropout(dropout))
    return ConvNet(features, [1024, 512, num_classes], shape, dropout_after=1, dropout=dropout)
