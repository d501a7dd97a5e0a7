"""Small hand-written models a user would bring, and a plain training loop that records them.

Names and registration order are deliberately unlike the execution order, so that a
picture sorting names (or trusting registration) would show the wrong layer.
"""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from vizdl import Recorder, RecordSpec


class Block(nn.Module):
    """A residual block: conv-bn-relu-conv-bn, ``out += x``, relu (the ReLU instance runs twice)."""

    def __init__(self, channels):
        super().__init__()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)  # registered first on purpose
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x
        return self.relu(out)


class ResNetish(nn.Module):
    """Stem, two residual blocks, global pooling, classifier -- registered classifier first."""

    def __init__(self, channels=4, classes=3):
        super().__init__()
        self.classifier = nn.Linear(channels, classes)
        self.blocks = nn.Sequential(Block(channels), Block(channels))
        self.stem = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.classifier(self.pool(x).flatten(1))


class TokenTransformer(nn.Module):
    """torch's ``nn.TransformerEncoder`` on token ids, mean-pooled, linear head."""

    def __init__(self, vocab=10, d_model=8, heads=2, layers=2, length=5, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(0.1 * torch.randn(length, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=16, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x):
        return self.head(self.encoder(self.embed(x) + self.pos).mean(1))


class AveragedAttention(nn.Module):
    """Uses the head-averaged weights ``nn.MultiheadAttention`` returns by default."""

    def __init__(self, d_model=8, heads=2, classes=3):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.head = nn.Linear(d_model, classes)
        self.seen = None

    def forward(self, x):
        out, weights = self.attn(x, x, x)
        self.seen = weights
        return self.head(out.mean(1)) + weights.sum((1, 2))[:, None]


class FusedAttention(nn.Module):
    """Hand-written attention through ``F.scaled_dot_product_attention`` (no matrix to record)."""

    def __init__(self, d_model=8, classes=3):
        super().__init__()
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.head(F.scaled_dot_product_attention(q, k, v).mean(1))


class PackedLSTM(nn.Module):
    """Token ids padded with 0, packed by length, LSTM, classifier on the last hidden state."""

    def __init__(self, vocab=10, hidden=6, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, 4, padding_idx=0)
        self.lstm = nn.LSTM(4, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        lengths = (x != 0).sum(1).clamp(min=1)
        packed = pack_padded_sequence(self.embed(x), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.head(h[-1])


class GRUClassifier(nn.Module):
    """Plain (unpacked) GRU classifier."""

    def __init__(self, vocab=10, hidden=6, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, 4)
        self.gru = nn.GRU(4, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.gru(self.embed(x))
        return self.head(out[:, -1])


class SharedReLU(nn.Module):
    """An MLP with its own names and one ReLU instance used after both hidden layers."""

    def __init__(self, sizes=(4, 6, 5, 3)):
        super().__init__()
        self.out = nn.Linear(sizes[2], sizes[3])
        self.act = nn.ReLU()
        self.hidden = nn.Linear(sizes[1], sizes[2])
        self.inp = nn.Linear(sizes[0], sizes[1])

    def forward(self, x):
        return self.out(self.act(self.hidden(self.act(self.inp(x)))))


class FunctionalActivation(nn.Module):
    """Linear layers as modules, the activation as ``F.relu`` (invisible to hooks)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class FunctionalOnly(nn.Module):
    """No submodules at all: parameters used through ``F.linear`` and ``torch.tanh``."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(0.5 * torch.randn(6, 4))
        self.b1 = nn.Parameter(torch.zeros(6))
        self.w2 = nn.Parameter(0.5 * torch.randn(3, 6))
        self.temperature = nn.Parameter(torch.tensor(1.0))  # a 0-d parameter

    def forward(self, x):
        return F.linear(torch.tanh(F.linear(x, self.w1, self.b1)), self.w2) / self.temperature


def token_batches(count=6, size=8, length=5, vocab=10, classes=3, seed=1, pad=False):
    """Random token sequences (``pad``: trailing zeros of random length) and labels."""
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(count):
        x = torch.randint(1, vocab, (size, length), generator=g)
        if pad:
            lengths = torch.randint(1, length + 1, (size,), generator=g)
            x = x * (torch.arange(length)[None] < lengths[:, None])
        batches.append((x, torch.randint(0, classes, (size,), generator=g)))
    return batches


def image_batches(count=4, size=8, side=6, classes=3, seed=1):
    """Random one-channel images and labels."""
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(size, 1, side, side, generator=g), torch.randint(0, classes, (size,), generator=g))
            for _ in range(count)]


def vector_batches(count=6, size=8, features=4, classes=3, seed=1, dtype=torch.float32):
    """Random feature vectors and labels."""
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(size, features, generator=g).to(dtype), torch.randint(0, classes, (size,), generator=g))
            for _ in range(count)]


def record_loop(model, out, batches, *, spec=None, probe=None, lr=0.1):
    """The README's hand-written loop: SGD, capture after backward, before the step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    probe = probe if probe is not None else batches[0]
    with Recorder(model, out, spec or RecordSpec(every=1), probe=probe) as rec:
        for step, (x, y) in enumerate(batches):
            model.train()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            rec.capture(step)
            opt.step()
            rec.log(step, loss=loss.item())
    return rec
