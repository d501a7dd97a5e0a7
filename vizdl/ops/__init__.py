"""Pure NumPy arithmetic the pictures explain (no global state; torch only to rerun a recorded model)."""
from vizdl.ops.activations import activation_curve
from vizdl.ops.approximation import Approximation, ShallowFit, approximate, fit_shallow
from vizdl.ops.architecture import Block, architecture_blocks
from vizdl.ops.attention import (
    AttentionNumbers,
    MultiHeadNumbers,
    attention_numbers,
    attention_rollout,
    multi_head_numbers,
    select_sample,
    softmax_rows,
)
from vizdl.ops.backprop import (
    BackpropStep,
    LayerTerms,
    backprop_at_step,
    backprop_from_model,
    mlp_backprop,
    mlp_parameters,
    optimizer_text,
    run_mlp_parameters,
)
from vizdl.ops.boundary import (
    data_bounds,
    decision_regions,
    grid_points,
    mlp_probabilities,
    model_probabilities,
)
from vizdl.ops.channels import (
    channel_activation,
    channel_similarity,
    channel_similarity_matrix,
    most_exciting,
    top_k,
    top_k_similar,
)
from vizdl.ops.compare import EpochCurves, epoch_curves
from vizdl.ops.conv import (
    ConvStep,
    OutputSize,
    Window,
    conv2d,
    conv_output_size,
    conv_steps,
    conv_transpose2d,
    conv_transpose_output_size,
    conv_windows,
    example_input,
    example_kernel,
    output_size_terms,
)
from vizdl.ops.conv_cases import NOTES_CASES, NOTES_MODES_CASE, ConvCase, notes_case, parse_cases
from vizdl.ops.crossentropy import Prediction, neg_log_curve, prediction, prediction_from_logits
from vizdl.ops.curves import centred_mean, histogram_matrix, smoothing_window, spread
from vizdl.ops.descent import descent_path, perceptron_learning
from vizdl.ops.dropout import DropoutPass, dropout_masks
from vizdl.ops.feature_maps import LayerInfo, describe_module, layer_info
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
    forward_values,
    mlp_forward,
    mlp_layers,
    network_at_step,
    network_diagram_data,
    select_neurons,
)
from vizdl.ops.neuron import FlatImage, NeuronTerms, flatten_image, neuron_from_arrays, neuron_terms, probe_image
from vizdl.ops.optimizers import loss_surface, optimizer_path
from vizdl.ops.padding import PADDING_MODES, pad, padding_copies, padding_mask, padding_source, padding_sources
from vizdl.ops.pooling import (
    NOTES_EXAMPLE,
    avg_pool,
    max_pool,
    pool_output_size,
    pool_windows,
    squeeze_pool,
    unsqueeze_pool,
)
from vizdl.ops.prediction import class_probabilities, recorded_step, top_class
from vizdl.ops.recurrent import (
    GradientThroughTime,
    RecurrentTrace,
    TrainingGradients,
    gradient_through_time,
    recurrent_trace,
    trace_from_weights,
    training_gradient_norms,
)
from vizdl.ops.regression import (
    DescentPath,
    RegressionData,
    batch_paths,
    least_squares,
    mse,
    mse_surface,
    regression_data,
)
from vizdl.ops.regression import (
    descent_path as regression_descent_path,
)
from vizdl.ops.representation import LayerProjection, default_layers, layer_projections
from vizdl.ops.representations import pca_2d
from vizdl.ops.seq2seq import TransformerStructure, transformer_structure
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

__all__ = [
    "AttentionNumbers", "MultiHeadNumbers", "attention_numbers", "attention_rollout", "multi_head_numbers",
    "select_sample", "softmax_rows",
    "LayerInfo", "describe_module", "layer_info",
    "class_probabilities", "recorded_step", "top_class",
    "channel_activation", "channel_similarity", "channel_similarity_matrix", "most_exciting",
    "top_k", "top_k_similar",
    "BackpropStep", "LayerTerms", "backprop_at_step", "backprop_from_model", "mlp_backprop",
    "mlp_parameters", "run_mlp_parameters", "optimizer_text",
    "channel_layers", "first_conv", "group_values", "is_mlp_chain", "mlp_chain", "parameter_groups",
    "activation_curve",
    "data_bounds", "decision_regions", "grid_points", "mlp_probabilities", "model_probabilities",
    "centred_mean", "histogram_matrix", "smoothing_window", "spread", "descent_path", "perceptron_learning",
    "pca_2d", "forward_values",
    "ExpressionGraph", "GraphEdge", "GraphNode", "chain_rule_example", "expression_graph",
    "ConvStep", "Window", "conv2d", "conv_output_size", "conv_steps", "conv_transpose2d",
    "conv_transpose_output_size", "conv_windows", "example_input", "example_kernel", "OutputSize",
    "output_size_terms", "ConvCase", "NOTES_CASES", "NOTES_MODES_CASE", "notes_case", "parse_cases",
    "EdgeSet", "LayerView", "NetworkDiagramData", "mlp_forward", "mlp_layers", "network_at_step",
    "network_diagram_data", "select_neurons",
    "PADDING_MODES", "pad", "padding_copies", "padding_mask", "padding_source", "padding_sources",
    "NOTES_EXAMPLE", "avg_pool", "max_pool", "pool_output_size", "pool_windows",
    "squeeze_pool", "unsqueeze_pool",
    "Block", "architecture_blocks", "EpochCurves", "epoch_curves", "DropoutPass", "dropout_masks",
    "loss_surface", "optimizer_path", "Augmented", "ClippingTrace", "EarlyStoppingTrace", "augmentations",
    "clipped_norm", "clipping_trace", "early_stopping_trace", "layer_values", "penalties", "schedule_lrs",
    "sparsity", "PassTiming", "time_passes",
    "GradientThroughTime", "RecurrentTrace", "TrainingGradients", "gradient_through_time", "recurrent_trace",
    "trace_from_weights", "training_gradient_norms",
    "Approximation", "ShallowFit", "approximate", "fit_shallow", "Prediction", "neg_log_curve", "prediction",
    "prediction_from_logits", "FlatImage", "NeuronTerms", "flatten_image", "neuron_from_arrays", "neuron_terms",
    "probe_image", "DescentPath", "RegressionData", "batch_paths", "regression_descent_path", "least_squares", "mse",
    "mse_surface", "regression_data", "LayerProjection", "default_layers", "layer_projections",
    "TransformerStructure", "transformer_structure",
]
