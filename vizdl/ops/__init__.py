"""Pure NumPy arithmetic the pictures explain (no torch, no global state)."""
from vizdl.ops.backprop import (
    BackpropStep,
    LayerTerms,
    backprop_at_step,
    backprop_from_model,
    mlp_backprop,
    mlp_parameters,
    run_mlp_parameters,
)
from vizdl.ops.channels import (
    channel_activation,
    channel_similarity,
    channel_similarity_matrix,
    most_exciting,
    top_k,
    top_k_similar,
)
from vizdl.ops.conv import (
    ConvStep,
    Window,
    conv2d,
    conv_output_size,
    conv_steps,
    conv_transpose2d,
    conv_transpose_output_size,
    conv_windows,
    example_input,
    example_kernel,
)
from vizdl.ops.graph import (
    ExpressionGraph,
    GraphEdge,
    GraphNode,
    chain_rule_example,
    expression_graph,
)
from vizdl.ops.layers import (
    channel_layers,
    first_conv,
    group_values,
    is_mlp_chain,
    mlp_chain,
    parameter_groups,
)
from vizdl.ops.network import (
    EdgeSet,
    LayerView,
    NetworkDiagramData,
    mlp_forward,
    mlp_layers,
    network_at_step,
    network_diagram_data,
    select_neurons,
)
from vizdl.ops.padding import PADDING_MODES, pad, padding_mask, padding_source
from vizdl.ops.architecture import Block, architecture_blocks
from vizdl.ops.compare import EpochCurves, epoch_curves
from vizdl.ops.dropout import DropoutPass, dropout_masks
from vizdl.ops.optimizers import loss_surface, optimizer_path
from vizdl.ops.approximation import Approximation, ShallowFit, approximate, fit_shallow
from vizdl.ops.crossentropy import Prediction, neg_log_curve, prediction, prediction_from_logits
from vizdl.ops.neuron import FlatImage, NeuronTerms, flatten_image, neuron_from_arrays, neuron_terms, probe_image
from vizdl.ops.regression import (
    DescentPath, RegressionData, batch_paths, descent_path as regression_descent_path, least_squares, mse,
    mse_surface, regression_data,
)
from vizdl.ops.representation import LayerProjection, default_layers, layer_projections
from vizdl.ops.techniques import (
    Augmented,
    ClippingTrace,
    EarlyStoppingTrace,
    augmentations,
    clipped_norm,
    clipping_trace,
    early_stopping_trace,
    layer_values,
    penalties,
    schedule_lrs,
    sparsity,
)
from vizdl.ops.timing import PassTiming, time_passes
from vizdl.ops.pooling import (
    NOTES_EXAMPLE,
    avg_pool,
    max_pool,
    pool_output_size,
    pool_windows,
    squeeze_pool,
    unsqueeze_pool,
)

__all__ = [
    "channel_activation", "channel_similarity", "channel_similarity_matrix", "most_exciting",
    "top_k", "top_k_similar",
    "BackpropStep", "LayerTerms", "backprop_at_step", "backprop_from_model", "mlp_backprop",
    "mlp_parameters", "run_mlp_parameters",
    "channel_layers", "first_conv", "group_values", "is_mlp_chain", "mlp_chain", "parameter_groups",
    "ExpressionGraph", "GraphEdge", "GraphNode", "chain_rule_example", "expression_graph",
    "ConvStep", "Window", "conv2d", "conv_output_size", "conv_steps", "conv_transpose2d",
    "conv_transpose_output_size", "conv_windows", "example_input", "example_kernel",
    "EdgeSet", "LayerView", "NetworkDiagramData", "mlp_forward", "mlp_layers", "network_at_step",
    "network_diagram_data", "select_neurons",
    "PADDING_MODES", "pad", "padding_mask", "padding_source",
    "NOTES_EXAMPLE", "avg_pool", "max_pool", "pool_output_size", "pool_windows",
    "squeeze_pool", "unsqueeze_pool",
    "Block", "architecture_blocks", "EpochCurves", "epoch_curves", "DropoutPass", "dropout_masks",
    "loss_surface", "optimizer_path", "Augmented", "ClippingTrace", "EarlyStoppingTrace", "augmentations",
    "clipped_norm", "clipping_trace", "early_stopping_trace", "layer_values", "penalties", "schedule_lrs",
    "sparsity", "PassTiming", "time_passes",
    "Approximation", "ShallowFit", "approximate", "fit_shallow", "Prediction", "neg_log_curve", "prediction",
    "prediction_from_logits", "FlatImage", "NeuronTerms", "flatten_image", "neuron_from_arrays", "neuron_terms",
    "probe_image", "DescentPath", "RegressionData", "batch_paths", "regression_descent_path", "least_squares", "mse",
    "mse_surface", "regression_data", "LayerProjection", "default_layers", "layer_projections",
]
