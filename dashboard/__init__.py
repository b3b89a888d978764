"""The planners' Streamlit dashboard (``scheduler dashboard``): thin pages over ``scheduler``."""
