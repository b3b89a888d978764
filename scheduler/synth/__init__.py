"""Building blocks of the synthetic Weifang directory (``scheduler.sample_data``).

``words`` holds the word lists (surnames, trades, towns, roads), ``pick`` the
vectorised choice helpers, and one module per table builds that table from
numpy arrays. Only ``scheduler.sample_data.generate_directory`` is public API.
"""
