# Sphinx configuration of the course site. Build it with `make site` (tools/site.py),
# which lays out the sources next to the output first: the lectures and exercises as
# they are in the repository, and the chapter map and glossary pages generated from
# nnlib/course_map.json. Notebooks are never executed: their stored outputs are shown.
# Every script, style sheet and font the pages load is served from the site itself
# (tools/vendor.py copies them from the npm packages package.json pins).

project = "nnlib course"
author = "nnlib course authors"
copyright = "nnlib course authors, MIT licence"
language = "en"

extensions = ["myst_nb"]  # MyST markdown and notebooks; it loads myst_parser itself
root_doc = "index"
exclude_patterns = ["_vendor", "_doctrees", "**.ipynb_checkpoints"]

# stored outputs only: a site build runs no kernel
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # headings get anchors, so the glossary links to sections

# the stored widget state (finished progress bars, an explorer's last frame) is
# rendered by the widgets' HTML manager, served from the site, not from a CDN
nb_ipywidgets_js = {
    "requirejs/require.js": {},
    "@jupyter-widgets/html-manager/dist/embed-amd.js": {},
}
mathjax_path = "mathjax/es5/tex-chtml.js"  # relative to _static
# _static/ (this folder's) and the copies of the npm packages (tools/site.py adds them)
html_static_path = ["_static"]
# MathJax 2's Hub.Queue for the widgets' HTML manager, deferred: it runs after MathJax
html_js_files = [("mathjax2-hub.js", {"defer": "defer"})]

html_theme = "furo"
html_title = "Neural networks, from one neuron to the Transformer"
html_copy_source = False  # the notebooks are in the repository; no copies in _sources
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {"navigation_with_keys": True}
