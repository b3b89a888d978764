"""Building blocks of the synthetic Weifang directory (``scheduler.data.synth.generate``).

``words`` holds the word lists (surnames, trades, towns, roads), ``pick`` the
vectorised choice helpers, and one module per table builds that table from
numpy arrays. Only ``scheduler.data.synth.generate.generate_directory`` is public API.
"""
