"""``manim scenes/attention.py``: self-attention step by step on a trained transformer (see vizdl.scenes)."""
from vizdl.scenes import attention


class Attention(attention.Attention):
    """softmax(QKᵀ/√d_k)·V with a tiny transformer's real numbers, every head, the prediction."""
