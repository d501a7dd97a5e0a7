"""Interpretability as plain arrays: SHAP attributions and channel similarity searches.

``shap`` and ``torch`` are imported on first use, so ``import vizdl.explain`` stays light.
"""
from vizdl.explain.channels import ChannelSearch, channel_search, feature_maps
from vizdl.explain.shap_values import METHODS, ShapResult, shap_values

__all__ = ["ChannelSearch", "METHODS", "ShapResult", "channel_search", "feature_maps", "shap_values"]
