"""Datasets by name: synthetic 2-D problems, digits, MNIST / Fashion-MNIST / CIFAR-10 files, toy sequences.

>>> from vizdl import data
>>> ds = data.load("digits")          # the embedded default, no download
>>> ds.x_train.shape[1:], ds.num_classes
(torch.Size([1, 8, 8]), 10)
"""
from vizdl.data.cifar_pickle import UnsafePickleError
from vizdl.data.dataset import Dataset
from vizdl.data.loading import available, load

__all__ = ["Dataset", "UnsafePickleError", "available", "load"]
