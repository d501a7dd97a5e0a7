"""Matplotlib pictures: one public function per picture, ``ax=None`` in, Axes/Figure out."""
from vizdl.figures.activations import activation_curve, activation_grid, activation_plot
from vizdl.figures.approximation import universal_approximation
from vizdl.figures.architecture import architecture_diagram
from vizdl.figures.attention import (
    attention_grid,
    attention_heatmap,
    attention_over_steps,
    attention_rollout,
    attention_steps,
    attention_walkthrough,
    head_view,
    image_attention,
    multi_head_attention,
    patch_attention,
)
from vizdl.figures.attributions import shap_bar, shap_image_grid
from vizdl.figures.boundary import (
    decision_boundary,
    decision_boundary_grid,
    perceptron_learning,
    perceptron_updates,
    perceptron_xor,
)
from vizdl.figures.channels import channel_similarity_grid, channel_similarity_heatmap
from vizdl.figures.classification import cross_entropy, model_comparison
from vizdl.figures.compare import compare_runs, compare_runs_panels
from vizdl.figures.conv import conv_diagram, conv_steps_panel, padding_modes_diagram
from vizdl.figures.conv_channels import conv_transpose_diagram, multichannel_conv_diagram
from vizdl.figures.curves import lr_curve, metric_curve, training_curves
from vizdl.figures.descent import descent_1d, descent_2d, descent_path
from vizdl.figures.feature_maps import feature_maps, first_layer_kernels
from vizdl.figures.gradients import gradient_flow, weight_histograms
from vizdl.figures.graph import computational_graph
from vizdl.figures.layer_pca import layer_pca
from vizdl.figures.network import network_diagram
from vizdl.figures.neuron import image_flattening, neuron_anatomy
from vizdl.figures.optimizers import optimizer_paths
from vizdl.figures.plot import paint_plot
from vizdl.figures.pooling import pool_diagram, pooling_diagram, squeeze_diagram
from vizdl.figures.recurrent import clipping_comparison, gradient_through_time, gru_cell, lstm_cell, rnn_unrolled
from vizdl.figures.regression import linear_regression, sgd_vs_batch
from vizdl.figures.representations import layer_representations
from vizdl.figures.seq2seq import transformer_diagram
from vizdl.figures.techniques import (
    augmentation_grid,
    batch_norm,
    device_timing,
    dropout_network,
    early_stopping,
    gradient_clipping,
    lr_schedules,
    regularization,
    weight_init,
)
from vizdl.notebook import enable_figure_display as _enable_figure_display

_enable_figure_display()  # in a Jupyter kernel, vizdl's Figures display as images

__all__ = [
    "attention_grid", "attention_heatmap", "attention_over_steps", "attention_rollout",
    "attention_steps", "attention_walkthrough", "head_view", "image_attention", "multi_head_attention",
    "patch_attention", "transformer_diagram",
    "conv_diagram", "conv_steps_panel", "conv_transpose_diagram", "multichannel_conv_diagram",
    "padding_modes_diagram",
    "activation_curve", "activation_grid", "activation_plot", "decision_boundary",
    "decision_boundary_grid", "perceptron_learning", "perceptron_updates", "perceptron_xor",
    "lr_curve", "metric_curve", "training_curves", "descent_1d", "descent_2d", "descent_path",
    "gradient_flow", "weight_histograms", "computational_graph", "network_diagram",
    "layer_representations",
    "clipping_comparison", "gradient_through_time", "gru_cell", "lstm_cell", "rnn_unrolled",
    "pool_diagram", "pooling_diagram", "squeeze_diagram",
    "feature_maps", "first_layer_kernels",
    "shap_bar", "shap_image_grid", "channel_similarity_grid", "channel_similarity_heatmap",
    "architecture_diagram", "compare_runs", "compare_runs_panels", "optimizer_paths", "paint_plot",
    "augmentation_grid", "batch_norm", "device_timing", "dropout_network", "early_stopping", "gradient_clipping",
    "lr_schedules", "regularization", "weight_init",
    "universal_approximation", "cross_entropy", "model_comparison", "layer_pca", "image_flattening", "neuron_anatomy",
    "linear_regression", "sgd_vs_batch",
]
