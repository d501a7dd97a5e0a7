"""Sphinx configuration of vizdl's documentation: the picture gallery (sphinx-gallery)."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from sphinx_gallery.sorting import FileNameSortKey  # noqa: E402
from vizdl_scraper import vizdl_scraper  # noqa: E402

project = "vizdl"
author = "the vizdl team"
extensions = ["sphinx_gallery.gen_gallery"]
html_theme = "alabaster"
exclude_patterns = ["_build", "images"]
sphinx_gallery_conf = {
    "examples_dirs": "../gallery",  # sections are ordered by their folder names: the notes' order
    "gallery_dirs": "auto_gallery",
    "filename_pattern": "/plot_",
    "within_subsection_order": FileNameSortKey,
    "image_scrapers": (vizdl_scraper, "matplotlib"),
    "download_all_examples": True,
    "remove_config_comments": True,
    "show_memory": False,
}
suppress_warnings = ["config.cache"]
