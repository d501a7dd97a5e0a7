"""Manim mobjects and animations built from runs or arrays."""
from vizdl.anim.attention import (
    AttentionNumbers, AttentionWalkthrough, attention_numbers, matrix_mobject, numbers_from_env,
    scene_run,
)
from vizdl.anim.backprop import BackpropLabels, BackpropStory, update_tex, update_tex_string
from vizdl.anim.convolution import ConvCase, ConvolutionDiagram, NOTES_CASES, formula_tex
from vizdl.anim.graph import GraphDiagram, chain_rule_tex, local_derivative_tex
from vizdl.anim.grid import NumberGrid
from vizdl.anim.network import NetworkDiagram, Restyle, edge_styles
from vizdl.anim.feature_maps import FeatureMapsDiagram, LayerColumn
from vizdl.anim.pooling import PoolingDiagram, SqueezeDiagram
from vizdl.anim.runs import default_run, mlp_snapshots
from vizdl.anim.training import DecisionPanel, LossCurve, decision_image

__all__ = [
    "BackpropLabels", "BackpropStory", "update_tex", "update_tex_string", "GraphDiagram",
    "chain_rule_tex", "local_derivative_tex", "NetworkDiagram", "Restyle", "edge_styles",
    "default_run", "mlp_snapshots", "DecisionPanel", "LossCurve", "decision_image",
    "ConvCase", "ConvolutionDiagram", "NOTES_CASES", "formula_tex", "NumberGrid",
    "PoolingDiagram", "SqueezeDiagram", "FeatureMapsDiagram", "LayerColumn",
    "AttentionNumbers", "AttentionWalkthrough", "attention_numbers", "matrix_mobject",
    "numbers_from_env", "scene_run",
]
