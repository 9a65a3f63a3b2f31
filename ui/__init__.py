"""The shared Streamlit kit: every page builds from these pieces, so they look and behave alike."""
