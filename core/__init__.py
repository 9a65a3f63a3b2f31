"""Pure computation for the dashboard: torch/numpy only, never streamlit.

Every public function takes plain arguments (plus ``device=``) and returns plain results,
so it can be tested against independent references and benchmarked on its own.
"""
