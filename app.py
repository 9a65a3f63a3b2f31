"""Entry point: `streamlit run app.py`. Navigation over the live explorers, the global sidebar,
and a link to the current view. Pages are listed from ui/chapters.py, so a chapter appears here
only once its explorer exists."""

import streamlit as st

from ui import chapters, shell

# Presenting: the sidebar starts collapsed (the picture gets the projector's width); else open on a desktop
# and closed on a phone. Read from the link or the viewer's switch, before the switch is drawn.
st.set_page_config(page_title="Mathematical Foundations for Deep Learning — explorers",
                   page_icon=":material/menu_book:", layout="wide", initial_sidebar_state=shell.sidebar_state())

home = st.Page("explorers/home.py", title="Book map", icon=":material/map:", default=True)
explorers = [st.Page(c.page, title=f"{c.number}. {c.explorer}", icon=c.icon, url_path=c.url_path)
             for c in chapters.live()]
# expanded: all twelve chapters listed (collapsed, Streamlit shows ten and a "View more" button)
page = st.navigation({"": [home], "Chapter explorers": explorers}, expanded=True)
device_slot = shell.sidebar()
page.run()
shell.finish(device_slot)
